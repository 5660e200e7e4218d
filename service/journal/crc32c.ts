/**
 * CRC32C for the journal: the driver's implementation (`driver/crc32c.ts`),
 * shared with the capture format.
 *
 * @module
 */

export { crc32c, crc32cBytewise } from "../../driver/crc32c.ts";
