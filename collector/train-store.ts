/**
 * The collector's record of federated training (migration 2): each task's published head versions
 * and its rounds. Every change is one transaction that checks the state it changes, so two
 * coordinators (or two collector processes) cannot open two rounds at once or publish one version
 * twice: the loser gets RoundNotOpenError or a conflict, and nothing half-written.
 */
import { ObscuraError } from '../src/errors';
import { parseCodebook } from '../src/codebook/load-codebook';
import type { Codebook } from '../src/codebook/codebook-schema';
import {
  roundSchema,
  versionSchema,
  type CloseRound,
  type PublishedVersion,
  type Round,
} from '../src/codebook/train-rounds';
import { versionCodebookId, type TrainTask } from '../src/codebook/train-task';
import type { Database, Queryable } from './db/database';

export class TrainStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
  ) {}

  /** Writes version 0 (`head`) unless the task has one: every collector process may try, one wins. */
  async ensureVersionZero(task: TrainTask, head: Codebook): Promise<void> {
    const version: PublishedVersion = {
      task: task.scope,
      version: 0,
      publishedAt: this.now().toISOString(),
      codebook: head,
      optimizer: { velocity: [], second: [] },
    };
    await this.db.query('insert into train_versions (task, version, body) values ($1, 0, $2) on conflict do nothing', [
      task.scope,
      JSON.stringify(version),
    ]);
  }

  async latestVersion(task: string, db: Queryable = this.db): Promise<PublishedVersion> {
    const r = await db.query<{ body: string }>(
      'select body from train_versions where task = $1 order by version desc limit 1',
      [task],
    );
    if (r.rows.length === 0) throw new Error(`task ${task} has no version 0`);
    return versionSchema.parse(JSON.parse(r.rows[0]!.body));
  }

  async version(task: string, version: number): Promise<PublishedVersion | undefined> {
    const r = await this.db.query<{ body: string }>(
      'select body from train_versions where task = $1 and version = $2',
      [task, version],
    );
    return r.rows.length === 0 ? undefined : versionSchema.parse(JSON.parse(r.rows[0]!.body));
  }

  /** Every published version's codebook, oldest first (the codebooks category reports may name). */
  async versions(task: string): Promise<number[]> {
    const r = await this.db.query<{ version: number }>(
      'select version from train_versions where task = $1 order by version',
      [task],
    );
    return r.rows.map((x) => Number(x.version));
  }

  async round(task: string, round: number): Promise<Round | undefined> {
    const r = await this.db.query<{ body: string }>('select body from train_rounds where task = $1 and round = $2', [
      task,
      round,
    ]);
    return r.rows.length === 0 ? undefined : roundSchema.parse(JSON.parse(r.rows[0]!.body));
  }

  async latestRound(task: string, db: Queryable = this.db): Promise<Round | null> {
    const r = await db.query<{ body: string }>(
      'select body from train_rounds where task = $1 order by round desc limit 1',
      [task],
    );
    return r.rows.length === 0 ? null : roundSchema.parse(JSON.parse(r.rows[0]!.body));
  }

  /** Opens the next round on the latest version; RoundNotOpenError when one is open or every round has run. */
  async openRound(task: TrainTask): Promise<Round> {
    return this.db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`train:${task.scope}`]);
      const last = await this.latestRound(task.scope, tx);
      if (last?.state === 'open')
        throw new ObscuraError('RoundNotOpenError', `round ${last.round} of task "${task.scope}" is still open`, {
          task: task.scope,
          round: last.round,
        });
      const number = (last?.round ?? 0) + 1;
      if (number > task.rounds)
        throw new ObscuraError('RoundNotOpenError', `task "${task.scope}" has run all its ${task.rounds} rounds`, {
          task: task.scope,
        });
      const head = await this.latestVersion(task.scope, tx);
      const opened = this.now();
      const round: Round = {
        task: task.scope,
        round: number,
        state: 'open',
        headVersion: head.version,
        openedAt: opened.toISOString(),
        closesAt: new Date(opened.getTime() + task.roundSeconds * 1000).toISOString(),
      };
      await tx.query('insert into train_rounds (task, round, state, body) values ($1, $2, $3, $4)', [
        task.scope,
        number,
        round.state,
        JSON.stringify(round),
      ]);
      return round;
    });
  }

  /**
   * Closes an open round: released, with the next version published in the same transaction, or
   * expired (only once its time is over), releasing nothing.
   */
  async closeRound(task: TrainTask, number: number, close: CloseRound): Promise<Round> {
    let codebook: Codebook | undefined;
    if (close.outcome === 'released') codebook = await parseCodebook(close.codebook);
    return this.db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`train:${task.scope}`]);
      const r = await tx.query<{ body: string }>('select body from train_rounds where task = $1 and round = $2', [
        task.scope,
        number,
      ]);
      const round = r.rows.length === 0 ? undefined : roundSchema.parse(JSON.parse(r.rows[0]!.body));
      if (round?.state !== 'open')
        throw new ObscuraError(
          'RoundNotOpenError',
          `round ${number} of task "${task.scope}" is ${round ? round.state : 'not opened'}`,
          { task: task.scope, round: number },
        );
      const now = this.now();
      let closed: Round;
      if (close.outcome === 'expired') {
        if (now.getTime() < Date.parse(round.closesAt))
          throw new ObscuraError(
            'InvalidParameterError',
            `round ${number} stays open until ${round.closesAt}; it cannot expire before`,
            { parameter: 'outcome', closesAt: round.closesAt },
          );
        closed = { ...round, state: 'expired', closedAt: now.toISOString(), count: close.count, reason: close.reason };
      } else {
        const version = round.headVersion + 1;
        const expectedId = versionCodebookId(task, version);
        if (codebook!.id !== expectedId)
          throw new ObscuraError(
            'InvalidParameterError',
            `version ${version} is codebook ${expectedId}, not ${codebook!.id}`,
            {
              parameter: 'codebook',
            },
          );
        const latest = await this.latestVersion(task.scope, tx);
        if (latest.version !== round.headVersion)
          throw new ObscuraError('InvalidParameterError', `version ${latest.version} is already published`, {
            parameter: 'codebook',
          });
        const published: PublishedVersion = {
          task: task.scope,
          version,
          round: number,
          publishedAt: now.toISOString(),
          codebook: codebook!,
          optimizer: close.optimizer,
        };
        await tx.query('insert into train_versions (task, version, body) values ($1, $2, $3)', [
          task.scope,
          version,
          JSON.stringify(published),
        ]);
        closed = {
          ...round,
          state: 'released',
          closedAt: now.toISOString(),
          count: close.count,
          batchId: close.batchId,
          version,
        };
      }
      await tx.query('update train_rounds set state = $3, body = $4 where task = $1 and round = $2', [
        task.scope,
        number,
        closed.state,
        JSON.stringify(closed),
      ]);
      return closed;
    });
  }
}
