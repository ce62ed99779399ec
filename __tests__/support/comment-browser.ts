/**
 * Renders a PR comment the way GitHub shows it and measures the result in Debian's chromium (headless,
 * through playwright-core): markdown → HTML with marked (GFM: tables, raw `<details>`), inside
 * `.markdown-body` with github-markdown-css, ```mermaid blocks drawn by mermaid from node_modules.
 *
 * Width: on a 1280 px page GitHub's PR timeline gives a comment a body box of about 780–830 px. We take
 * the narrow end, a 780 px box with GitHub's 16 px comment padding, so the markdown itself gets 748 px:
 * a comment that fits here fits on GitHub at that window size.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { marked } from 'marked';

export const CHROMIUM = '/usr/bin/chromium';
/** The page and comment box widths (see the module comment). */
export const PAGE_WIDTH = 1280;
export const COMMENT_BOX_WIDTH = 780;
export const COMMENT_PADDING = 16;

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const require = createRequire(import.meta.url);

function moduleFile(pkg: string, file: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), file);
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Markdown → HTML as GitHub does it for what our comments use. Mermaid blocks become `<pre class="mermaid">`
 * for mermaid to draw; GitHub draws them in an iframe as wide as the comment, which this matches.
 */
export function markdownToHtml(md: string): string {
  const renderer = new marked.Renderer();
  const plainCode = renderer.code.bind(renderer);
  renderer.code = (token) => (token.lang === 'mermaid' ? `<pre class="mermaid">${escapeHtml(token.text)}</pre>\n` : plainCode(token));
  return marked.parse(md, { gfm: true, async: false, renderer }) as string;
}

function pageHtml(bodyHtml: string): string {
  const css = readFileSync(moduleFile('github-markdown-css', 'github-markdown-light.css'), 'utf8');
  return `<!doctype html><html><head><meta charset="utf-8"><style>${css}
body { margin: 0; background: #fff; }
#box { width: ${COMMENT_BOX_WIDTH}px; box-sizing: border-box; padding: ${COMMENT_PADDING}px; margin: 24px auto;
  border: 1px solid #d1d9e0; border-radius: 6px; overflow: hidden; }
</style></head><body><div id="box"><div class="markdown-body">${bodyHtml}</div></div></body></html>`;
}

/** One overlap of two axis labels of a chart. */
export interface LabelOverlap {
  readonly chart: number;
  readonly a: string;
  readonly b: string;
}

/** What the browser measured. Widths in CSS pixels. */
export interface RenderMeasure {
  readonly box: { readonly scrollWidth: number; readonly clientWidth: number };
  /** Every table: its first two rows as text, scroll and client width. */
  readonly tables: readonly { readonly head: string; readonly scrollWidth: number; readonly clientWidth: number }[];
  /** Mermaid blocks: how many rendered an `<svg>`, and the error text of the ones that did not. */
  readonly charts: { readonly rendered: number; readonly failed: readonly string[] };
  /** Pairs of category labels (bottom or left axis) whose boxes intersect. */
  readonly labelOverlaps: readonly LabelOverlap[];
  /** Text of `<code>` elements without `<wbr>` inside tables that the browser broke over more than one line. */
  readonly wrappedCodeInTables: readonly string[];
  /** Text of every `<summary>`, in order. */
  readonly summaries: readonly string[];
  /** The rendered text of the comment (innerText of the markdown body). */
  readonly text: string;
}

// Runs in the page (kept as source text: the test tsconfig has no DOM types).
const MEASURE = `(() => {
  const box = document.querySelector('.markdown-body');
  const tables = [...box.querySelectorAll('table')].map((t) => ({ head: [...t.querySelectorAll('tr')].slice(0, 2).map((r) => r.innerText.replace(/\\s+/g, ' ').trim()).join(' / ').slice(0, 300), scrollWidth: t.scrollWidth, clientWidth: t.clientWidth }));
  const overlaps = [];
  const svgs = [...box.querySelectorAll('pre.mermaid svg')];
  svgs.forEach((svg, chart) => {
    for (const axis of ['bottom-axis', 'left-axis']) {
      const rects = [...svg.querySelectorAll('g.' + axis + ' g.label text')].map((t) => ({ r: t.getBoundingClientRect(), s: t.textContent }));
      for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) {
        const a = rects[i].r, b = rects[j].r;
        if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) overlaps.push({ chart, a: rects[i].s, b: rects[j].s });
      }
    }
  });
  const failed = [...box.querySelectorAll('pre.mermaid')].filter((p) => !p.querySelector('svg')).map((p) => p.textContent.slice(0, 200));
  // Names marked breakable (with <wbr>) may wrap at their separators; ids such as device ids may not.
  const wrapped = [...box.querySelectorAll('table code')].filter((c) => !c.querySelector('wbr') && c.getClientRects().length > 1).map((c) => c.textContent);
  return {
    box: { scrollWidth: box.scrollWidth, clientWidth: box.clientWidth },
    tables,
    charts: { rendered: svgs.length, failed },
    labelOverlaps: overlaps,
    wrappedCodeInTables: wrapped,
    summaries: [...box.querySelectorAll('summary')].map((s) => s.textContent),
    text: box.innerText,
  };
})()`;

/** A running chromium with a fresh profile; `close` removes the profile. */
export interface CommentBrowser {
  /**
   * Renders `markdown` and returns the measures. With `screenshot` (a path without extension) it saves
   * `<screenshot>.png` as a reviewer first sees it and `<screenshot>-open.png` with every `<details>` open.
   */
  render(markdown: string, screenshot?: string): Promise<RenderMeasure>;
  close(): Promise<void>;
}

/** True when Debian's chromium is installed (the render test skips without it, except under CI). */
export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** Starts chromium headless with the flags above and a fresh --user-data-dir. */
export async function openCommentBrowser(): Promise<CommentBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'edgegate-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: PAGE_WIDTH, height: 900 },
      offline: true,
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  const mermaidJs = moduleFile('mermaid', 'dist/mermaid.min.js');
  return {
    async render(markdown, screenshot) {
      const page = await context.newPage();
      try {
        await page.setContent(pageHtml(markdownToHtml(markdown)));
        if ((await page.locator('pre.mermaid').count()) > 0) {
          await page.addScriptTag({ path: mermaidJs });
          await page.evaluate(`(async () => {
            mermaid.initialize({ startOnLoad: false, theme: 'default', securityLevel: 'strict' });
            try { await mermaid.run({ querySelector: 'pre.mermaid', suppressErrors: true }); } catch (e) {}
          })()`);
        }
        if (screenshot) {
          mkdirSync(dirname(screenshot), { recursive: true });
          await page.locator('#box').screenshot({ path: `${screenshot}.png` });
        }
        // Measured with every <details> open: a collapsed table that overflows is still a defect.
        await page.evaluate(`document.querySelectorAll('details').forEach((d) => { d.open = true; })`);
        const measure = (await page.evaluate(MEASURE)) as RenderMeasure;
        if (screenshot) await page.locator('#box').screenshot({ path: `${screenshot}-open.png` });
        return measure;
      } finally {
        await page.close();
      }
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
