/** The buffer whose DataView `viewOf` returned last, and that view. */
let viewed: Uint8Array | null = null;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

/**
 * A DataView of b's bytes (b[0] at offset 0), to read four bytes at any offset in one load (`getInt32(i, true)`)
 * where a loop would read them one by one. The last view is kept: a chunk's lines ask for the same one again and again.
 */
export function viewOf(b: Uint8Array): DataView<ArrayBufferLike> {
  if (b !== viewed) {
    view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    viewed = b;
  }
  return view;
}
