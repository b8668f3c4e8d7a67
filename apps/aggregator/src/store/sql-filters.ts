import type { SampleFilter } from './profile-store';
import type { SqlLiterals } from './sql-literal';
import { checkOptionalList, checkRange, checkText } from './store-input';

/** `column = 'value'` for each optional filter that is set (column names are checked identifiers). */
export function equalsFilters(lit: SqlLiterals, filters: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(filters).flatMap(([column, value]) => {
    if (value === undefined) return [];
    checkText(value, column);
    return [`${lit.identifier(column)} = ${lit.string(value)}`];
  });
}

/** Every field of a sample filter, named in the error when wrong. */
export function checkSampleFilter(filter: SampleFilter): void {
  checkRange(filter);
  checkText(filter.service, 'service');
  checkText(filter.profileType, 'profileType');
  checkText(filter.sampleType, 'sampleType');
  if (filter.instance !== undefined) checkText(filter.instance, 'instance');
  checkOptionalList(filter.profileIds, 'profileIds');
}
