// The release guard's rules, on an injected clock: which presses and clicks inside the widget count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClickPolicy, REFUSAL, type ScreenOffset } from '../../../src/widget/frame/click-policy';

const ARMING = 800;
const HOME: ScreenOffset = { x: 120, y: 340 };
const ELSEWHERE: ScreenOffset = { x: 480, y: 95 };

/** A policy on a clock the test moves; the widget visible from t = 0. */
function setup() {
  const clock = { t: 0 };
  const policy = new ClickPolicy({ armingMs: ARMING, now: () => clock.t });
  policy.visibility(true);
  const at = (t: number) => {
    assert.ok(t >= clock.t, 'time runs forward');
    clock.t = t;
  };
  const mouse = (offset = HOME, hovering = true) => ({ pointerId: 1, pointerType: 'mouse', offset, hovering });
  const finger = (offset = HOME, pointerId = 7) => ({ pointerId, pointerType: 'touch', offset });
  /** A whole press-and-release at `t`: pointerdown, then the click the button's handler asks about. */
  const press = (t: number, sample: ReturnType<typeof mouse> | ReturnType<typeof finger>) => {
    at(t);
    policy.pointerDown(sample);
    policy.click({ trusted: true, keyboard: false, offset: sample.offset });
    return policy.refusal();
  };
  return { policy, at, mouse, finger, press };
}

test('the honest case: a visible, still widget the pointer has rested on counts', () => {
  const { policy, at, mouse, press } = setup();
  at(100);
  policy.pointerSeen(mouse());
  at(600);
  policy.pointerSeen(mouse());
  assert.equal(press(1000, mouse()), undefined);
  // A second click later, pointer still inside and the frame still: counts again.
  assert.equal(press(2500, mouse()), undefined);
});

test('the decoy double-click: a pointer that arrived 50 ms before the press is refused', () => {
  const { policy, at, mouse, press } = setup();
  // The first click went to the host's decoy; the frame, moved there, sees the pointer arrive.
  at(5000);
  policy.pointerSeen(mouse(HOME, false));
  assert.equal(press(5050, mouse()), REFUSAL.arrived);
  // No event at all before the press (the browser sent no boundary event): refused as well.
  const quiet = setup();
  assert.equal(quiet.press(5000, quiet.mouse()), REFUSAL.arrived);
});

test('a widget moved between two clicks (its screen offset changed) is refused until the delay passes', () => {
  const { policy, at, mouse, press } = setup();
  at(100);
  policy.pointerSeen(mouse(HOME));
  assert.equal(press(1000, mouse(HOME)), undefined);
  // The host moves the frame under the resting pointer; the next press shows another offset.
  assert.equal(press(1200, mouse(ELSEWHERE)), REFUSAL.moved);
  // The move is dated when it was seen: clicks keep failing for the arming delay after it.
  assert.equal(press(1900, mouse(ELSEWHERE)), REFUSAL.moved);
  assert.equal(press(2000, mouse(ELSEWHERE)), undefined);
  // A move seen by a pointermove between the clicks counts the same.
  at(2100);
  policy.pointerSeen(mouse(HOME));
  assert.equal(press(2300, mouse(HOME)), REFUSAL.moved);
});

test('a move during the press (the click shows another offset than its pointerdown) is refused', () => {
  const { policy, at, mouse } = setup();
  at(100);
  policy.pointerSeen(mouse());
  at(1000);
  assert.equal(policy.pointerDown(mouse()), undefined);
  policy.click({ trusted: true, keyboard: false, offset: ELSEWHERE });
  assert.equal(policy.refusal(), REFUSAL.moved);
});

test('rounding jitter of one pixel is not a move; creeping one pixel at a time is', () => {
  const { policy, at, mouse, press } = setup();
  at(100);
  policy.pointerSeen(mouse());
  assert.equal(press(1000, mouse({ x: HOME.x + 1, y: HOME.y - 1 })), undefined);
  for (let i = 1; i <= 3; i++) {
    at(1000 + i * 10);
    policy.pointerSeen(mouse({ x: HOME.x + i, y: HOME.y }));
  }
  assert.equal(press(1100, mouse({ x: HOME.x + 3, y: HOME.y })), REFUSAL.moved);
});

test('a resize refuses clicks until the arming delay has passed after it', () => {
  const { policy, at, mouse, press } = setup();
  at(100);
  policy.pointerSeen(mouse());
  at(1000);
  policy.resized();
  assert.equal(press(1500, mouse()), REFUSAL.resized);
  assert.equal(press(1799, mouse()), REFUSAL.resized);
  assert.equal(press(1800, mouse()), undefined);
});

test('covered, just shown or on a hidden page: refused', () => {
  const { policy, at, mouse, press } = setup();
  at(100);
  policy.pointerSeen(mouse());
  at(1000);
  policy.visibility(false);
  assert.equal(press(1100, mouse()), REFUSAL.covered);
  policy.visibility(true);
  assert.equal(press(1500, mouse()), REFUSAL.appeared);
  assert.equal(press(1900, mouse()), undefined);
  policy.pageVisibility(false);
  assert.equal(press(2000, mouse()), REFUSAL.hidden);
  policy.pageVisibility(true);
  assert.equal(press(2100, mouse()), REFUSAL.shown);
  assert.equal(press(2800, mouse()), undefined);
});

test('a pointer that left and came back has only just arrived', () => {
  const { policy, at, mouse, press } = setup();
  at(100);
  policy.pointerSeen(mouse());
  at(1500);
  policy.pointerLeft(1);
  at(2000);
  policy.pointerSeen(mouse());
  assert.equal(press(2300, mouse()), REFUSAL.arrived);
  assert.equal(press(2800, mouse()), undefined);
});

test('touch has no hover: a first tap shows the frame where it is, a second counts; a move refuses', () => {
  const { policy, at, finger, press } = setup();
  at(3000);
  policy.pointerSeen(finger()); // pointerover comes with the press
  assert.equal(press(3000, finger()), REFUSAL.unplaced);
  policy.pointerLeft(7);
  // The next finger arrives with its press, yet counts: the frame has been still since the first tap.
  at(3900);
  policy.pointerSeen(finger(HOME, 8));
  assert.equal(press(3900, finger(HOME, 8)), undefined);
  // Moved before the next tap: refused, and counts again only after the delay.
  assert.equal(press(4200, finger(ELSEWHERE, 9)), REFUSAL.moved);
  assert.equal(press(5000, finger(ELSEWHERE, 10)), undefined);
});

test('a pen counts as hovering only once it has hovered; a pen that cannot hover is taken as touch', () => {
  const { policy, at, press } = setup();
  const pen = (hovering: boolean) => ({ pointerId: 3, pointerType: 'pen', offset: HOME, hovering });
  at(100);
  policy.pointerSeen(pen(false));
  assert.equal(press(1000, pen(false)), undefined, 'no hover seen: the still frame suffices');
  at(1100);
  policy.pointerLeft(3);
  at(2000);
  policy.pointerSeen(pen(true));
  assert.equal(press(2100, pen(false)), REFUSAL.arrived, 'a hovering pen must rest like a mouse');
  assert.equal(press(2800, pen(false)), undefined);
});

test('a keyboard click needs visibility and the keyboard focus inside the frame for the delay', () => {
  const { policy, at } = setup();
  const key = () => {
    policy.click({ trusted: true, keyboard: true });
    return policy.refusal();
  };
  at(1000);
  assert.equal(key(), REFUSAL.unfocused);
  policy.focus(true);
  at(1500);
  assert.equal(key(), REFUSAL.focused);
  at(1800);
  assert.equal(key(), undefined);
  policy.visibility(false);
  assert.equal(key(), REFUSAL.covered);
});

test('a click without its press, an untrusted click, and an old answer do not count', () => {
  const { policy, at, mouse } = setup();
  at(100);
  policy.pointerSeen(mouse());
  at(2000);
  policy.click({ trusted: true, keyboard: false, offset: HOME });
  assert.equal(policy.refusal(), REFUSAL.noPress);
  policy.pointerDown(mouse());
  policy.click({ trusted: false, keyboard: false, offset: HOME });
  assert.equal(policy.refusal(), REFUSAL.untrusted);
  policy.pointerDown(mouse());
  policy.click({ trusted: true, keyboard: false, offset: HOME });
  assert.equal(policy.refusal(), undefined);
  at(4000);
  assert.equal(policy.refusal(), REFUSAL.noClick, 'an answer about a click seconds ago');
});

/** Deterministic pseudo-random integers (mulberry32), so a failure replays. */
function rng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return (((x ^ (x >>> 14)) >>> 0) % n) as number;
  };
}

type Op = (p: ClickPolicy) => void;

test('armedAt (what data-armed shows) agrees with the decision a press would get, on random event sequences', () => {
  // 300 seeded sequences of 40 events, the clock stepping 0–600 ms; offsets the same or ≥ 100 px apart.
  const offsets = [HOME, ELSEWHERE, { x: 300, y: 300 }];
  const types = ['mouse', 'pen', 'touch'];
  let armedSeen = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const next = rng(seed);
    const ops: { t: number; op: Op }[] = [];
    let t = 0;
    let last: { pointerId: number; pointerType: string; offset: ScreenOffset } | undefined;
    for (let i = 0; i < 40; i++) {
      t += next(600);
      const kind = next(8);
      const pointer = { pointerId: next(3), pointerType: types[next(3)]!, offset: offsets[next(offsets.length)]! };
      const visible = next(3) > 0;
      const hovering = next(2) === 0;
      let op: Op;
      if (kind === 0) op = (p) => p.visibility(visible);
      else if (kind === 1) op = (p) => p.resized();
      else if (kind === 2 && last) {
        const id = last.pointerId;
        op = (p) => p.pointerLeft(id);
      } else if (kind === 3) op = (p) => p.pointerDown(pointer);
      else op = (p) => p.pointerSeen({ ...pointer, hovering });
      if (kind >= 3) last = pointer;
      ops.push({ t, op });
      if (!last) continue;
      // Replay the events on a fresh policy, then ask both questions a little later.
      const clock = { t: 0 };
      const policy = new ClickPolicy({ armingMs: ARMING, now: () => clock.t });
      for (const step of ops) {
        clock.t = step.t;
        step.op(policy);
      }
      clock.t = t + next(900);
      const at = policy.armedAt();
      const armed = at !== undefined && at <= clock.t;
      if (armed) armedSeen++;
      const decision = policy.pointerDown(last);
      assert.equal(armed, decision === undefined, `seed ${seed}, step ${i}: armed ${armed}, the press: ${decision}`);
    }
  }
  assert.ok(armedSeen > 100, `only ${armedSeen} armed states: the sequences test too little`);
});
