import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * A bar chart over time (uPlot's bars path): x is Unix seconds (bucket starts), one value per bar, e.g.
 * a histogram of log entries. Like LineChart, the figure carries a text label for screen readers and
 * the numbers are shown beside it as text.
 */
export function BarChart({ label, times, values, seriesLabel, height = 160 }: {
  label: string;
  times: number[];
  values: number[];
  seriesLabel: string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current!;
    const style = getComputedStyle(el);
    const fill = style.getPropertyValue('--accent').trim() || '#2563eb';
    const axis = style.getPropertyValue('--muted').trim() || '#666';
    const bars = uPlot.paths.bars!({ size: [0.8, 64], align: 1 });
    plot.current = new uPlot(
      {
        width: el.clientWidth || 300,
        height,
        legend: { show: false },
        cursor: { show: false },
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [{ stroke: axis, grid: { show: false } }, { stroke: axis, size: 50 }],
        series: [{}, { label: seriesLabel, fill, stroke: fill, width: 0, paths: bars, points: { show: false } }],
      },
      [[], []],
      el,
    );
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [seriesLabel, height]);

  useEffect(() => {
    plot.current?.setData([times, values] as uPlot.AlignedData);
  }, [times, values]);

  return <div ref={box} className="chart" role="img" aria-label={label} />;
}
