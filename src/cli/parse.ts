import { InvalidArgumentError } from 'commander';
import { messages } from '../messages.js';
import { TRANSFORM_NAMES, type TransformName } from '../types.js';

/** Parses a positive integer flag value. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(messages.notPositiveInt(value));
  return n;
}

/** Parses comma-separated numbers (`--mean 0.5,0.5,0.5`). */
export function numberList(value: string): number[] {
  const list = value.split(',').map((v) => Number(v.trim()));
  if (list.some((v) => !Number.isFinite(v))) throw new InvalidArgumentError(messages.notNumberList(value));
  return list;
}

/** Collects repeated or comma-separated `--transform` values. */
export function transformList(value: string, previous: TransformName[] = []): TransformName[] {
  const names = value.split(',').map((v) => v.trim());
  for (const name of names) {
    if (!TRANSFORM_NAMES.includes(name as TransformName)) throw new InvalidArgumentError(messages.notTransform(name, TRANSFORM_NAMES));
  }
  return [...previous, ...(names as TransformName[])];
}

/** Largest shift `--shifts` accepts (SPEC §2's default set is 1..32, clipped to s < H/2). */
const MAX_SHIFT = 32;

/** Parses `--shifts`: `1..32`, `4`, or `1,2,4,8`. */
export function shiftList(value: string): number[] {
  const range = /^(\d+)\.\.(\d+)$/.exec(value.trim());
  const list = range
    ? Array.from({ length: Math.max(0, Number(range[2]) - Number(range[1]) + 1) }, (_, i) => Number(range[1]) + i)
    : value.split(',').map((v) => Number(v.trim()));
  if (list.length === 0 || list.some((s) => !Number.isInteger(s))) {
    throw new InvalidArgumentError(messages.notShiftList(value));
  }
  const outside = list.find((s) => s < 1 || s > MAX_SHIFT);
  if (outside !== undefined) {
    throw new InvalidArgumentError(messages.shiftOutOfRange(outside, MAX_SHIFT));
  }
  return list;
}

/** Parses `--shard i/n`. */
export function shardSpec(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new InvalidArgumentError(messages.notShard(value));
  return { index: Number(m[1]), count: Number(m[2]) };
}

/** Restricts a flag to a set of choices with a helpful message. */
export function choice<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value) => {
    if (!choices.includes(value as T)) throw new InvalidArgumentError(messages.notChoice(value, choices));
    return value as T;
  };
}
