// Placeholders for one table's projection. Policy values (principal
// attributes, the tenant's salt, literals from the policy set) are never
// pasted into SQL: each becomes a `$n` bound with the query. The numbering
// is local to the table; the rewrite shifts it past the caller's parameters.

import type { SqlValue } from '@tributary/core';
import type { Principal } from '../auth/principal.js';
import { attributeValue } from './attributes.js';

export class PolicyParams {
  readonly values: SqlValue[] = [];
  private readonly slots = new Map<string, number>();

  constructor(
    private readonly principal: Principal,
    private readonly saltValue: string,
  ) {}

  /** `$n` for `:user.<name>`; NULL when the principal lacks it, so comparisons with it deny rows. */
  attribute(name: string): string {
    return this.slot(`attribute:${name}`, () => attributeValue(this.principal, name) ?? null);
  }

  /** `$n` for the tenant's hashing salt. */
  salt(): string {
    return this.slot('salt', () => this.saltValue);
  }

  /** `$n` for a text value written in the policy set (redact value, fill character). */
  text(value: string): string {
    return this.slot(`text:${value}`, () => value);
  }

  private slot(key: string, value: () => SqlValue): string {
    let index = this.slots.get(key);
    if (index === undefined) {
      this.values.push(value());
      index = this.values.length;
      this.slots.set(key, index);
    }
    return `$${index}`;
  }
}
