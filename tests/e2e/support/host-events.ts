/** What a host page (embeddingPage) heard from its widget: its obscura-* events, read and awaited. */
import type { Page } from 'playwright-core';

export interface HostEvent {
  type: string;
  detail: Record<string, unknown>;
}

export const hostEvents = (p: Page, type?: string): Promise<HostEvent[]> =>
  p.evaluate((t) => (window as unknown as { events: HostEvent[] }).events.filter((e) => !t || e.type === t), type);

/** Resolves once the host has heard `count` events of `type`, with all of that type. */
export async function waitForHostEvents(p: Page, type: string, count: number): Promise<HostEvent[]> {
  await p.waitForFunction(
    ([t, n]) => (window as unknown as { events: HostEvent[] }).events.filter((e) => e.type === t).length >= n,
    [type, count] as const,
    { timeout: 90_000 },
  );
  return hostEvents(p, type);
}
