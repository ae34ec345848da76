import { describe, expect, it } from 'vitest';
import { renderAlertGroupMessage } from './alert-group-message.js';

const alert = (name: string, severity: string, status: 'firing' | 'resolved' = 'firing') => ({
  labels: { alertname: name, severity, instance: 'db-1' },
  annotations: { summary: `${name} on db-1` },
  status,
  startsAt: '2026-12-02T10:00:00Z',
  generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
});

describe('renderAlertGroupMessage', () => {
  it('takes the highest firing severity, counts, lists alerts and the group labels', () => {
    const m = renderAlertGroupMessage({ groupLabels: { alertname: 'DiskFull' }, alerts: [alert('DiskFull', 'warning'), alert('DiskFull', 'critical'), alert('DiskFull', 'critical', 'resolved')] }, 'en');
    expect(m).toMatchObject({ title: 'DiskFull (2 firing, 1 resolved)', severity: 'critical', fields: [{ name: 'alertname', value: 'DiskFull' }], url: 'http://prometheus:9090/graph?g0.expr=up', language: 'en' });
    expect(m.text.split('\n')).toHaveLength(3);
    expect(m.text).toContain('DiskFull on db-1');
  });

  it('a group whose alerts all resolved is `resolved`, in Chinese', () => {
    const m = renderAlertGroupMessage({ alerts: [alert('HighLoad', 'warning', 'resolved')] }, 'zh-CN');
    expect(m.severity).toBe('resolved');
    expect(m.title).toBe('HighLoad (1 已恢复)');
  });

  it('lists at most 20 alerts, then how many more', () => {
    const m = renderAlertGroupMessage({ alerts: Array.from({ length: 25 }, (_, i) => alert(`A${i}`, 'info')) }, 'en');
    expect(m.text.split('\n')).toHaveLength(21);
    expect(m.text).toMatch(/\+5 alerts$/);
  });
});
