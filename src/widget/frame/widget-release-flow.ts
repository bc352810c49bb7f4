/**
 * The person's clicks that release: the host's one grant, the photos picked and their releases (the host
 * gets each report as the ledger holds it), and the guarantee a release would give, asked before the click.
 */
import { HOST_GRANT_EPSILON } from '../../release/index';
import type { WidgetFrame } from './widget-frame';
import type { Picked } from './widget-frame-views';
import { refresh } from './widget-host-budget';
import { widgetReleaseOptions } from './widget-release';
import { trainChoice } from './widget-train';

/**
 * The person's click: reaches first-party storage if the frame has none yet (storage access,
 * else Obscura's window, where the person allows the host), then gives this host's site its one
 * grant, created now and never by the host. A grant that exists already is left as it is.
 */
export async function grant(frame: WidgetFrame): Promise<void> {
  const refusal = frame.guard.refusal();
  if (refusal) return void (frame.notice = `That click was ignored: ${refusal}.`);
  frame.notice = '';
  if (frame.access.kind !== 'connected') {
    try {
      await frame.firstParty.connect();
    } catch (err) {
      return frame.fail(err);
    }
  }
  const releases = frame.releases;
  if (!releases) return;
  try {
    await releases.createScope({
      name: frame.grantName,
      totalEpsilon: HOST_GRANT_EPSILON,
      window: { kind: 'lifetime' },
    });
  } catch (err) {
    // Granted already (another tab of this host, or a click that raced this one): nothing to add.
    if ((err as Error)?.name !== 'ScopeExistsError') return frame.fail(err);
  }
  frame.notice = '';
  try {
    await refresh(frame);
  } catch (err) {
    frame.fail(err);
  }
}

export async function onImages(frame: WidgetFrame, files: File[]): Promise<void> {
  const engine = frame.engine;
  if (!engine) return;
  frame.busy = true;
  try {
    for (const file of files) {
      const extraction = await engine.extract(file, { name: file.name });
      const item: Picked = {
        id: frame.nextId++,
        name: file.name,
        contentHash: extraction.contentHash,
        released: false,
        ...(frame.trainTask ? { train: trainChoice(frame.trainTask) } : {}),
      };
      frame.picked = [item, ...frame.picked];
      if (frame.settings.autoRelease && frame.granted) await release(frame, item);
    }
  } catch (err) {
    frame.fail(err);
  } finally {
    frame.busy = false;
  }
}

export async function onReleaseClick(frame: WidgetFrame, item: Picked): Promise<void> {
  const refusal = frame.guard.refusal();
  if (refusal) return void (frame.notice = `That click was ignored: ${refusal}.`);
  frame.notice = '';
  await release(frame, item);
}

async function release(frame: WidgetFrame, item: Picked): Promise<void> {
  const releases = frame.releases;
  if (!releases) return;
  try {
    const options = {
      ...widgetReleaseOptions(frame.hostOrigin, frame.config, frame.settings, frame.allowedEndpoints),
      grant: frame.grantName,
      host: frame.hostOrigin,
    };
    const outcome = await releases.release(item.contentHash, options);
    item.released = true;
    if (outcome.kind === 'category') item.label = outcome.assigned.label;
    frame.picked = [...frame.picked];
    // The host gets the report exactly as the ledger holds it; an aggregate-only scope refuses the widget's release.
    if (outcome.kind !== 'aggregate') {
      // The ledger holds this very payload (a memo hit returns the stored one).
      frame.link.post({ type: 'report', report: outcome.report });
    }
    // Its delta updates this frame where deltas arrive; elsewhere it reads.
    if (!releases.hearsDeltas) await refresh(frame);
  } catch (err) {
    frame.fail(err);
  }
}

/** The guarantee of a release with the current settings, before any click; none while they cannot make one. */
export async function refreshQuote(frame: WidgetFrame): Promise<void> {
  const releases = frame.releases;
  if (!releases || frame.granted !== true) return void (frame.quote = undefined);
  try {
    const options = widgetReleaseOptions(frame.hostOrigin, frame.config, frame.settings, frame.allowedEndpoints);
    frame.quote = await releases.quote({ ...options, grant: frame.grantName, host: frame.hostOrigin });
  } catch {
    // Options the release would refuse: the release itself names the error; no guarantee to state.
    frame.quote = undefined;
  }
}
