import type { ReactNode } from 'react';

export interface Column<T> {
  key: string;
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Right-aligned numbers. */
  numeric?: boolean;
  /** The label a cell shows on a narrow screen (stacked cards) when `header` is not plain text. */
  label?: string;
}

/**
 * A table's hidden caption and its column headers (shared by DataTable and VirtualTable). The explicit
 * roles keep the table's semantics when a narrow screen re-lays it out as cards (`display: block`).
 */
export function TableHead<T>({ caption, columns }: { caption: ReactNode; columns: Column<T>[] }) {
  return (
    <>
      <caption className="visually-hidden">{caption}</caption>
      <thead role="rowgroup">
        <tr role="row">{columns.map((c) => <th key={c.key} role="columnheader" scope="col" className={c.numeric ? 'num' : undefined}>{c.header}</th>)}</tr>
      </thead>
    </>
  );
}

const labelOf = <T,>(c: Column<T>) => c.label ?? (typeof c.header === 'string' ? c.header : undefined);

/**
 * A plain, accessible table: a caption, column headers, one row per item. Below ~700 px wide each row
 * becomes a card, every cell under its column's name (styles.css, `.table-wrap.stack`).
 */
export function DataTable<T>({ caption, columns, rows, rowKey }: {
  caption: ReactNode;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string | number;
}) {
  return (
    <div className="table-wrap stack">
      <table role="table">
        <TableHead caption={caption} columns={columns} />
        <tbody role="rowgroup">
          {rows.map((row) => (
            <tr key={rowKey(row)} role="row">
              {columns.map((c) => <td key={c.key} role="cell" data-label={labelOf(c)} className={c.numeric ? 'num' : undefined}>{c.cell(row)}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
