/**
 * A moment as the person's local date and time, `2026-12-07 19:41:03` (ISO 8601's order, unambiguous in
 * every locale). Written by hand rather than by Intl: the first date formatter a page makes loads its
 * locale's data, 15 to 20 ms of main-thread work, and the ledger and its budget changes show times as
 * soon as the app starts.
 */
export function localTimeText(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  const date = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  return `${date} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
