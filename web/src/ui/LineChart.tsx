import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * A small time-series chart (uPlot, ~50 KB): x is Unix seconds, one line per series. The figure carries
 * a text label for screen readers; the numbers themselves are shown beside charts as text.
 */
export function LineChart({ label, times, series, height = 120, xRange }: {
  label: string;
  times: number[];
  series: { label: string; values: (number | null)[] }[];
  height?: number;
  /** A fixed time window in Unix seconds; without it the axis spans the data (one point would span years). */
  xRange?: [number, number];
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const range = useRef(xRange);
  range.current = xRange;
  const shape = series.map((s) => s.label).join('\u0000');

  useEffect(() => {
    const el = box.current!;
    const stroke = getComputedStyle(el).getPropertyValue('--accent').trim() || '#2563eb';
    const axis = getComputedStyle(el).getPropertyValue('--muted').trim() || '#666';
    plot.current = new uPlot(
      {
        width: el.clientWidth || 300,
        height,
        legend: { show: false },
        cursor: { show: false },
        axes: [{ stroke: axis, grid: { show: false } }, { stroke: axis, size: 40 }],
        scales: { x: { time: true, range: (_u, min, max) => range.current ?? [min, max] } },
        series: [{}, ...series.map((s) => ({ label: s.label, stroke, width: 1.5 }))],
      },
      [[], ...series.map(() => [])],
      el,
    );
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuilt only when the series change; data updates go through setData below.
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData([times, ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [times, series]);

  return <div ref={box} className="chart" role="img" aria-label={label} />;
}
