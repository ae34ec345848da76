import type { ReactNode } from 'react';

export interface Column<T> {
  key: string;
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Right-aligned numbers. */
  numeric?: boolean;
}

/** A table's hidden caption and its column headers (shared by DataTable and VirtualTable). */
export function TableHead<T>({ caption, columns }: { caption: ReactNode; columns: Column<T>[] }) {
  return (
    <>
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>{columns.map((c) => <th key={c.key} scope="col" className={c.numeric ? 'num' : undefined}>{c.header}</th>)}</tr>
      </thead>
    </>
  );
}

/** A plain, accessible table: a caption, column headers, one row per item. */
export function DataTable<T>({ caption, columns, rows, rowKey }: {
  caption: ReactNode;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string | number;
}) {
  return (
    <div className="table-wrap">
      <table>
        <TableHead caption={caption} columns={columns} />
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>{columns.map((c) => <td key={c.key} className={c.numeric ? 'num' : undefined}>{c.cell(row)}</td>)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
