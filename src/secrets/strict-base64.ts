/**
 * Canonical base64 decoding. Node's `Buffer.from(s, 'base64')` skips characters it does not know and
 * ignores the unused low bits of the last character, so two different texts can decode to the same
 * bytes. Stored ciphertext and configured keys are read with this instead: a text is accepted only if
 * it is exactly what `Buffer#toString('base64')` would produce (padding included), so any change to
 * the text changes or refuses the bytes.
 */
export function decodeStrictBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}
