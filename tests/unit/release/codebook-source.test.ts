// The release worker's codebook source: objects checked, URLs fetched once, failures named and not kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { resolveCodebook } from '../../../src/release/codebook-source';
import { parseCodebookJson } from '../../../src/codebook/load-codebook';

const text = await readFile('public/codebooks/fashion-10.json', 'utf8');

/** A fetch that answers from a table and counts its calls. */
function fakeFetch(answers: Record<string, () => Response>) {
  const calls: string[] = [];
  const fetcher = (async (url: string) => {
    calls.push(url);
    const answer = answers[url];
    if (!answer) throw new TypeError('fetch failed');
    return answer();
  }) as unknown as typeof fetch;
  return { fetcher, calls };
}

test('a codebook object is checked against its hash; a changed one is an InvalidCodebookError', async () => {
  const codebook = await parseCodebookJson(text);
  assert.equal((await resolveCodebook(codebook)).hash, codebook.hash);
  await assert.rejects(resolveCodebook({ ...codebook, labels: [...codebook.labels].reverse() }), {
    name: 'InvalidCodebookError',
    message: /does not match its hash/,
  });
});

test('a URL is fetched once and kept; a failed fetch is a CodebookLoadError and is tried again next time', async () => {
  const url = 'https://example.test/codebooks/fashion-10.json';
  let up = false;
  const { fetcher, calls } = fakeFetch({
    [url]: () => (up ? new Response(text) : new Response('gone', { status: 503 })),
  });
  await assert.rejects(resolveCodebook(url, fetcher), {
    name: 'CodebookLoadError',
    message: `could not load the codebook at ${url}: HTTP 503`,
  });
  up = true;
  const [a, b] = await Promise.all([resolveCodebook(url, fetcher), resolveCodebook(url, fetcher)]);
  assert.equal(a.id, 'fashion-10');
  assert.equal(b, a);
  assert.equal((await resolveCodebook(url, fetcher)).hash, a.hash);
  assert.equal(calls.length, 2, 'one failed fetch, then one that is kept');
});

test('a URL that answers something other than a codebook is an InvalidCodebookError', async () => {
  const url = 'https://example.test/index.html';
  const { fetcher } = fakeFetch({ [url]: () => new Response('<!doctype html>') });
  await assert.rejects(resolveCodebook(url, fetcher), { name: 'InvalidCodebookError', message: /not JSON/ });
  const unreachable = 'https://example.test/offline.json';
  await assert.rejects(resolveCodebook(unreachable, fakeFetch({}).fetcher), {
    name: 'CodebookLoadError',
    message: /fetch failed/,
  });
});
