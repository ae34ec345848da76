import { diffLines } from 'diff';

/**
 * Two JSON values as one line diff (jsdiff): lines only in `before` marked "-", lines only in `after`
 * marked "+", the rest as context. Added and removed lines also carry a class for colour, so the
 * change reads without colour too.
 */
export function DefinitionDiff({ before, after, labelledBy }: { before: unknown; after: unknown; labelledBy: string }) {
  const parts = diffLines(JSON.stringify(before, null, 2) ?? '', JSON.stringify(after, null, 2) ?? '');
  return (
    <pre className="output diff" tabIndex={0} aria-labelledby={labelledBy}>
      {parts.flatMap((part, i) => {
        const mark = part.added ? '+' : part.removed ? '-' : ' ';
        const cls = part.added ? 'diff-add' : part.removed ? 'diff-del' : undefined;
        return part.value.replace(/\n$/, '').split('\n').map((line, j) => (
          <span key={`${i}-${j}`} className={cls}>{`${mark} ${line}\n`}</span>
        ));
      })}
    </pre>
  );
}
