import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef } from 'react';
import { TableHead, type Column } from './DataTable';

const ROW_HEIGHT = 38;

/**
 * A table of many rows (logs: tens of thousands) that renders only the rows in view (TanStack Virtual),
 * keeping real table semantics: spacer rows stand for the rest. Calls `onNearEnd` when the view reaches
 * the last rows, to load the next page. Rows added on top (a live tail) keep a scrolled view where it
 * was. The scroll box is focusable, so the keyboard scrolls it.
 */
export function VirtualTable<T>({ caption, columns, rows, rowKey, onNearEnd }: {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string | number;
  onNearEnd?: () => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => box.current, estimateSize: () => ROW_HEIGHT, overscan: 15 });
  const items = virtual.getVirtualItems();
  const last = items.at(-1)?.index ?? 0;

  const firstKey = rows.length > 0 ? rowKey(rows[0]!) : null;
  const shownFirst = useRef(firstKey);
  useLayoutEffect(() => {
    const before = shownFirst.current;
    shownFirst.current = firstKey;
    const el = box.current;
    if (!el || before === null || before === firstKey || el.scrollTop === 0) return;
    const added = rows.findIndex((r) => rowKey(r) === before);
    if (added > 0) el.scrollTop += added * ROW_HEIGHT;
  }, [firstKey, rows, rowKey]);

  useEffect(() => {
    if (rows.length > 0 && last >= rows.length - 10) onNearEnd?.();
  }, [last, rows.length, onNearEnd]);

  const before = items[0]?.start ?? 0;
  const after = virtual.getTotalSize() - (items.at(-1)?.end ?? 0);
  return (
    <div ref={box} className="table-wrap virtual" tabIndex={0} role="region" aria-label={caption}>
      <table>
        <TableHead caption={caption} columns={columns} />
        <tbody>
          {before > 0 && <tr aria-hidden="true"><td colSpan={columns.length} className="spacer" style={{ height: before }} /></tr>}
          {items.map((item) => {
            const row = rows[item.index]!;
            return <tr key={rowKey(row)}>{columns.map((c) => <td key={c.key} className={c.numeric ? 'num' : undefined}>{c.cell(row)}</td>)}</tr>;
          })}
          {after > 0 && <tr aria-hidden="true"><td colSpan={columns.length} className="spacer" style={{ height: after }} /></tr>}
        </tbody>
      </table>
    </div>
  );
}
