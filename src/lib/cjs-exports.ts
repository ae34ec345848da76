/**
 * A CommonJS package's exports from a dynamic `import()`: Node gives them as named exports (and whole
 * as `default`); a bundle's split chunk (the test suite's build, test/build-tree.ts) gives them under
 * `default` only. `probe` is one export the caller needs.
 */
export function cjsExports<T extends object>(mod: T, probe: keyof T): T {
  return mod[probe] !== undefined ? mod : (mod as unknown as { default: T }).default;
}
