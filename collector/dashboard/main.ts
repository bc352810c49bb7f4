/** The dashboard page: reads the range and bucket, loads, renders, exports, compares, asks for the token. */
import { ApiError, forgetToken, storeToken, TokenNeededError } from './api';
import { compare, comparisonView, type ComparisonAsked } from './compare-view';
import { loadAll, scopeTitle, type BucketSize, type Loaded } from './data';
import { bucketLabel, byId, h } from './dom';
import { download, toCsv, toNdjson } from './export';
import { COMPARISON_COLUMNS, comparisonRows, FREQUENCY_COLUMNS, frequencyRows, type Row } from './rows';
import { scopeSection, scopesTable } from './scope-view';

const DAY_MS = 86_400_000;
let loaded: Loaded | null = null;
let compared: Row[] | null = null;
/** What to redo once a token is given. */
let retry: () => Promise<void> = refresh;

function status(text: string, isError = false): void {
  const el = byId('status');
  el.textContent = text;
  el.classList.toggle('error', isError);
}

function isoDay(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

function range(): { bucket: BucketSize; since: string; until: string } {
  const since = byId<HTMLInputElement>('since').value;
  const until = byId<HTMLInputElement>('until').value;
  return {
    bucket: byId<HTMLSelectElement>('bucket').value === 'hour' ? 'hour' : 'day',
    since: `${since}T00:00:00Z`,
    until: `${until}T00:00:00Z`,
  };
}

async function guarded(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (err instanceof TokenNeededError) {
      retry = work;
      return askToken(err.refused);
    }
    status(err instanceof ApiError ? `${err.errorName}: ${err.message}` : `Error: ${(err as Error).message}`, true);
  }
}

function askToken(refused: boolean): void {
  if (refused) forgetToken();
  byId('token-message').textContent = refused
    ? 'The collector refused that token. Enter the read token again.'
    : 'This collector needs its read token to show aggregates.';
  byId('token-form').hidden = false;
  status(refused ? 'Token refused.' : 'Read token needed.', true);
  byId<HTMLInputElement>('token').focus();
}

async function refresh(): Promise<void> {
  const { bucket, since, until } = range();
  if (until <= since) return status('"Until" must be after "From".', true);
  status('Loading…');
  loaded = await loadAll(bucket, since, until);
  render(loaded);
  const n = loaded.buckets.length;
  status(
    `${loaded.scopes.length} scopes; ${n} ${bucket}${n === 1 ? '' : 's'} with reports ` +
      `from ${since.slice(0, 10)} to ${until.slice(0, 10)} (UTC).`,
  );
}

function render(data: Loaded): void {
  byId('scopes').replaceChildren(scopesTable(data));
  byId('scope-sections').replaceChildren(...data.scopes.map((s) => scopeSection(data, s.scope)));
  byId('overview').hidden = false;
  byId('compare').hidden = data.scopes.length === 0;
  const scopeOptions = () => data.scopes.map((s) => h('option', { value: s.scope }, scopeTitle(s.scope)));
  const [a, b] = [byId<HTMLSelectElement>('compare-a'), byId<HTMLSelectElement>('compare-b')];
  a.replaceChildren(...scopeOptions());
  b.replaceChildren(...scopeOptions());
  if (data.scopes.length > 1) b.selectedIndex = 1;
  byId<HTMLSelectElement>('compare-scope').replaceChildren(...scopeOptions());
  fillBuckets();
}

/** The buckets of the scope chosen for a bucket comparison, newest last. */
function fillBuckets(): void {
  if (!loaded) return;
  const data = loaded;
  const scope = byId<HTMLSelectElement>('compare-scope').value;
  const starts = data.buckets
    .filter((bk) => [...bk.vectors, ...bk.categories].some((g) => g.key.scope === scope))
    .map((bk) => h('option', { value: `${bk.start} ${bk.end}` }, bucketLabel(bk.start, data.bucket)));
  const [a, b] = [byId<HTMLSelectElement>('compare-bucket-a'), byId<HTMLSelectElement>('compare-bucket-b')];
  a.replaceChildren(...starts.map((o) => o.cloneNode(true)));
  b.replaceChildren(...starts);
  b.selectedIndex = starts.length - 1;
  a.selectedIndex = Math.max(0, starts.length - 2);
}

function asked(): ComparisonAsked {
  const mode = (document.querySelector('input[name="mode"]:checked') as HTMLInputElement | null)?.value;
  if (mode === 'buckets') {
    const scope = byId<HTMLSelectElement>('compare-scope').value;
    const [aSince, aUntil] = byId<HTMLSelectElement>('compare-bucket-a').value.split(' ');
    const [bSince, bUntil] = byId<HTMLSelectElement>('compare-bucket-b').value.split(' ');
    return { a: { scope, since: aSince!, until: aUntil! }, b: { scope, since: bSince!, until: bUntil! } };
  }
  const { since, until } = range();
  return {
    a: { scope: byId<HTMLSelectElement>('compare-a').value, since, until },
    b: { scope: byId<HTMLSelectElement>('compare-b').value, since, until },
  };
}

async function runComparison(): Promise<void> {
  if (!loaded) return;
  const data = loaded;
  const question = asked();
  status('Comparing…');
  const answer = await compare(question);
  compared = comparisonRows(answer, data.codebooks);
  byId('compare-result').replaceChildren(comparisonView(answer, data));
  byId('compare-exports').hidden = false;
  status(`Compared ${question.a.scope} with ${question.b.scope}.`);
}

function exportFile(kind: 'csv' | 'ndjson', what: 'frequencies' | 'comparison'): void {
  const rows = what === 'frequencies' ? (loaded ? frequencyRows(loaded) : []) : (compared ?? []);
  const columns = what === 'frequencies' ? FREQUENCY_COLUMNS : COMPARISON_COLUMNS;
  const stamp = new Date().toISOString().slice(0, 19).replaceAll(':', '');
  if (kind === 'csv') download(toCsv(rows, columns), `obscura-${what}-${stamp}.csv`, 'text/csv');
  else download(toNdjson(rows, columns), `obscura-${what}-${stamp}.ndjson`, 'application/x-ndjson');
}

function start(): void {
  const today = Date.now() - (Date.now() % DAY_MS);
  byId<HTMLInputElement>('since').value = isoDay(today - 6 * DAY_MS);
  byId<HTMLInputElement>('until').value = isoDay(today + DAY_MS);
  byId('controls').addEventListener('submit', (e) => {
    e.preventDefault();
    void guarded(refresh);
  });
  byId('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = byId<HTMLInputElement>('token');
    storeToken(input.value.trim());
    input.value = '';
    byId('token-form').hidden = true;
    void guarded(retry);
  });
  byId('forget-token').addEventListener('click', () => {
    forgetToken();
    status('Token forgotten for this tab.');
  });
  byId('compare-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void guarded(runComparison);
  });
  byId('compare-form').addEventListener('change', (e) => {
    const target = e.target as HTMLElement;
    if (target.id === 'compare-scope') fillBuckets();
    if (target.getAttribute('name') === 'mode') {
      const buckets = (target as HTMLInputElement).value === 'buckets';
      byId('compare-buckets').hidden = !buckets;
      byId('compare-scopes').hidden = buckets;
    }
  });
  byId('export-csv').addEventListener('click', () => exportFile('csv', 'frequencies'));
  byId('export-ndjson').addEventListener('click', () => exportFile('ndjson', 'frequencies'));
  byId('export-compare-csv').addEventListener('click', () => exportFile('csv', 'comparison'));
  byId('export-compare-ndjson').addEventListener('click', () => exportFile('ndjson', 'comparison'));
  void guarded(refresh);
}

start();
