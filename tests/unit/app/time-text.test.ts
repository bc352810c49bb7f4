import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localTimeText } from '../../../src/app/time-text';

test('a moment reads as local date and time, each field padded to its width', () => {
  assert.equal(localTimeText(new Date(2026, 11, 7, 9, 5, 3).getTime()), '2026-12-07 09:05:03');
  assert.equal(localTimeText(new Date(2027, 0, 31, 23, 59, 59).getTime()), '2027-01-31 23:59:59');
});

test('the text is in the local time zone, not UTC', () => {
  const zone = process.env['TZ'];
  process.env['TZ'] = 'Asia/Kolkata'; // UTC+05:30 all year
  try {
    assert.equal(localTimeText(Date.UTC(2026, 5, 1, 12, 0, 0)), '2026-06-01 17:30:00');
  } finally {
    if (zone === undefined) delete process.env['TZ'];
    else process.env['TZ'] = zone;
  }
});
