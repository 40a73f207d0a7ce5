import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from '@sessionhub/testing/chromium';
import { expect, it } from 'vitest';
import { Comparison } from '../src/compare/comparison';
import { renderCompareHtml } from '../src/compare/render-html';
import { compareReport } from '../src/compare/report';
import { bg, ev, fg, launch, records } from './timeline';

it('compare --html: one self-contained file that Chromium renders with its charts and numbers, offline', async () => {
  const c = new Comparison({ sampleDevices: 2 });
  for (const r of records([launch(0), ev(5), bg(30), fg(100), ev(110, { userId: 'alice' }), bg(210), launch(5000)], 'phone')) c.add(r);
  for (const r of records([ev(0), ev(60), ev(2000), ev(2100)], 'laptop')) c.add(r);
  const report = compareReport(c, { lines: 11, skipped: 0 });
  const html = renderCompareHtml(report);
  // Self-contained: nothing is fetched from anywhere.
  expect(html).not.toMatch(/(src|href)=|<script|@import|url\(/);

  const dir = mkdtempSync(join(tmpdir(), 'sessionhub-html-'));
  const browser = await launchChromium();
  try {
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    const page = await browser.context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href);
    const seen = await page.evaluate(() => ({
      rows: [...document.querySelectorAll('#numbers tbody tr')].map((tr) => [tr.getAttribute('data-column'), tr.querySelector('.sessions')!.textContent]),
      histograms: [...document.querySelectorAll('figure.histogram')].map((f) => ({
        column: f.getAttribute('data-column'),
        bars: f.querySelectorAll('rect.bar').length,
        drawn: [...f.querySelectorAll('rect.bar')].filter((r) => (r as SVGRectElement).getBBox().height > 0).length,
      })),
      timelines: [...document.querySelectorAll('figure.timeline')].map((f) => [...f.querySelectorAll('rect.session')].filter((r) => (r as SVGRectElement).getBoundingClientRect().width > 0).length),
    }));
    expect(seen.rows).toEqual(report.columns.map((col) => [col.id, String(col.sessions)]));
    expect(seen.histograms.map((h) => h.column)).toEqual(['canonical', 'braze', 'snowplow', 'clevertap', 'mparticle']);
    for (const [i, h] of seen.histograms.entries()) {
      expect(h.bars).toBe(report.columns[i]!.histogram.counts.length);
      // A bar is drawn for each bin that has sessions.
      expect(h.drawn).toBe(report.columns[i]!.histogram.counts.filter((n) => n > 0).length);
    }
    const sessionsOf = (t: (typeof report.timelines)[number]): number => Object.values(t.columns).reduce((n, s) => n + s.length, 0);
    expect(seen.timelines).toEqual(report.timelines.map(sessionsOf));
    expect(requests).toEqual([pathToFileURL(file).href]);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
