/**
 * Child process of the learned-table kill test: teaches card after card and
 * saves after each, printing `saved N` once save N is durable, until killed.
 *
 * @module
 */

import { LearnedStore } from "../../../service/gates/learned_store.ts";

const dir = Deno.args[0]!;
const store = await LearnedStore.open(dir, { maxEntries: 1000 });
const enc = new TextEncoder();
for (let i = 1;; i++) {
  store.table.teach(`tag-${i}`, i % 3 === 0 ? "refused" : "known", 1_700_000_000_000 + i);
  await store.save();
  await Deno.stdout.write(enc.encode(`saved ${i}\n`));
}
