// check_report.mjs - open a gilscope report.html from disk in Debian's headless
// Chromium and check what a person would see:
//   node check_report.mjs REPORT.html SCREENSHOT.png MIN_CHARTS EVIL_TEXT [TABLE_ID | =SELECTOR...]
// Checks: the page renders, at least MIN_CHARTS charts are drawn and none is a
// blank canvas, the console shows no error, no request leaves the page, no
// injected script runs (no dialog, only the page's own 3 script elements: data, Chart.js, report.js) and
// EVIL_TEXT, markup planted in a system string, appears as text; each
// TABLE_ID exists with rows; each =SELECTOR (CSS) matches at least one
// element, with text or a drawn chart in it.
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';

const [report, shot, minCharts, evil, ...tables] = process.argv.slice(2);
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const consoleErrors = [], requests = [], dialogs = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith('file:') && !u.startsWith('data:') && !u.startsWith('about:')) requests.push(u);
  });

  await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
  await page.waitForSelector('body[data-rendered]', { timeout: 15000 });
  const rendered = await page.getAttribute('body', 'data-rendered');
  check(rendered === 'yes', `page rendered (data-rendered=${rendered})`);

  const charts = Number(await page.getAttribute('body', 'data-charts'));
  check(charts >= Number(minCharts), `${charts} charts drawn (at least ${minCharts})`);
  // a canvas with no painted pixel is a chart that failed to draw
  const blank = await page.evaluate(() => [...document.querySelectorAll('canvas')].filter((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return false;
    return true;
  }).length);
  check(blank === 0, `no blank canvas (${blank} blank)`);

  for (const sel of tables.filter((t) => t.startsWith('='))) {
    const found = await page.evaluate((q) => [...document.querySelectorAll(q)].filter((e) =>
      e.innerText.trim() !== '' || e.querySelector('canvas')).length, sel.slice(1));
    check(found > 0, `${sel.slice(1)}: ${found} found`);
  }
  for (const id of tables.filter((t) => !t.startsWith('='))) {
    const rows = await page.evaluate((t) => document.querySelectorAll(`#${t} tr`).length, id);
    check(rows > 1, `table #${id} has ${rows} rows`);
  }

  const text = await page.evaluate(() => document.body.innerText);
  check(text.includes(evil), `planted markup shows as text: ${evil}`);
  const scripts = await page.evaluate(() => document.querySelectorAll('script').length);
  check(scripts === 3, `only the page's own script elements (${scripts})`);
  check(dialogs.length === 0, `no injected script ran (${dialogs.length} dialogs)`);
  check(consoleErrors.length === 0, `no console error${consoleErrors.length ? ': ' + consoleErrors.join(' | ') : ''}`);
  check(requests.length === 0, `no request left the page${requests.length ? ': ' + requests.join(' ') : ''}`);

  await page.screenshot({ path: shot, fullPage: true });
  console.log(`screenshot: ${shot}`);
} finally {
  await browser.close();
}
console.log(`browser: ${failures.length ? failures.length + ' check(s) failed' : 'all checks passed'}`);
process.exit(failures.length ? 1 : 0);
