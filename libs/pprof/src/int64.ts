const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * pprof-format hands back varints as `number` (up to 4 bytes) or `bigint` (longer), and
 * int64 fields unsigned: reinterpret the 64 bits as a signed integer.
 */
export function toInt64(value: number | bigint): bigint {
  return BigInt.asIntN(64, BigInt(value));
}

/** uint64 fields (ids, addresses). */
export function toUint64(value: number | bigint): bigint {
  return BigInt.asUintN(64, BigInt(value));
}

export function isInt64(value: bigint): boolean {
  return value >= INT64_MIN && value <= INT64_MAX;
}
