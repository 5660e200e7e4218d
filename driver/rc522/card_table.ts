/**
 * The cards the scanner knows to be in the field: fixed slots in typed arrays
 * (UID, size, SAK, ATQA, ticks missed, seen this tick), so tracking presence
 * allocates nothing.
 *
 * @module
 */

/** Cards tracked at once. */
export const MAX_TRACKED = 8;

/** Fixed-size table of known cards. */
export class CardTable {
  /** UID bytes, 10 per slot. */
  readonly uid: Uint8Array = new Uint8Array(MAX_TRACKED * 10);
  /** UID size per slot; 0 = free slot. */
  readonly len: Uint8Array = new Uint8Array(MAX_TRACKED);
  /** Final SAK per slot. */
  readonly sak: Uint8Array = new Uint8Array(MAX_TRACKED);
  /** ATQA per slot (-1 when it collided). */
  readonly atqa: Int32Array = new Int32Array(MAX_TRACKED);
  /** Consecutive ticks the card was not seen. */
  readonly missed: Uint8Array = new Uint8Array(MAX_TRACKED);
  /** Seen in the current tick. */
  readonly seen: Uint8Array = new Uint8Array(MAX_TRACKED);

  /** Number of tracked cards. */
  get count(): number {
    let n = 0;
    for (let i = 0; i < MAX_TRACKED; i++) if (this.len[i] !== 0) n++;
    return n;
  }

  /** Empties the table. */
  clear(): void {
    this.len.fill(0);
  }

  /** Starts a tick: nothing seen yet. */
  newTick(): void {
    this.seen.fill(0);
  }

  /** Slot holding this UID, or -1. */
  find(uid: Uint8Array, len: number): number {
    for (let k = 0; k < MAX_TRACKED; k++) {
      if (this.len[k] !== len) continue;
      let same = true;
      for (let i = 0; i < len; i++) {
        if (this.uid[k * 10 + i] !== uid[i]) {
          same = false;
          break;
        }
      }
      if (same) return k;
    }
    return -1;
  }

  /** Stores a card (seen now); returns its slot, or -1 when the table is full. */
  add(uid: Uint8Array, len: number, sak: number, atqa: number): number {
    let k = 0;
    while (k < MAX_TRACKED && this.len[k] !== 0) k++;
    if (k === MAX_TRACKED) return -1;
    for (let i = 0; i < len; i++) this.uid[k * 10 + i] = uid[i]!;
    this.len[k] = len;
    this.sak[k] = sak;
    this.atqa[k] = atqa;
    this.missed[k] = 0;
    this.seen[k] = 1;
    return k;
  }

  /** First tracked slot from `from` not seen this tick, or -1. */
  nextUnseen(from: number): number {
    for (let k = from; k < MAX_TRACKED; k++) {
      if (this.len[k] !== 0 && this.seen[k] === 0) return k;
    }
    return -1;
  }

  /**
   * Ages slots from `from`: seen ones reset their miss count, unseen ones
   * count a miss. Returns the first slot that reached `absentTicks` misses
   * (still stored, for the caller to report and free), or -1.
   */
  age(from: number, absentTicks: number): number {
    for (let k = from; k < MAX_TRACKED; k++) {
      if (this.len[k] === 0) continue;
      if (this.seen[k] !== 0) {
        this.missed[k] = 0;
        continue;
      }
      this.missed[k] = this.missed[k]! + 1;
      if (this.missed[k]! >= absentTicks) return k;
    }
    return -1;
  }
}
