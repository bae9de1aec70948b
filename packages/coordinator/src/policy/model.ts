// The policy model as administrators write it (JSON or YAML), validated with
// zod. Objects are strict: an unknown key is an error, because a misspelt
// `exempt` or `applies_to` silently ignored would change who sees what.
//
// Names of sources, schemas, tables and columns match the catalog
// case-insensitively, as DuckDB resolves them. Role, group and user names
// match exactly.

import { TributaryError } from '@tributary/core';
import { z } from 'zod';
import type { TableRef } from '../query/analyze/types.js';

const name = z
  .string()
  .min(1)
  .max(512)
  .refine((value) => !value.includes('\u0000'), 'contains a NUL character');
const id = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_.:\-/]+$/, 'ids use letters, digits and _ . : - /');
/** Admin SQL: a predicate or expression over one table's columns (checked against DuckDB at load). */
const policySql = z
  .string()
  .min(1)
  .max(20_000)
  .refine((value) => !value.includes('\u0000'), 'contains a NUL character');

/** `source.schema.table`; a part may be double-quoted ("a.b") when it contains dots. */
const qualifiedTable = z.string().superRefine((value, context) => {
  if (parseTableName(value) === undefined) {
    context.addIssue({ code: 'custom', message: 'expected source.schema.table' });
  }
});

const roleList = z.array(name).max(1000);

export const GrantSchema = z
  .strictObject({
    id,
    effect: z.enum(['allow', 'deny']),
    to: z.union([
      z.strictObject({ role: name }),
      z.strictObject({ user: name }),
      z.strictObject({ group: name }),
    ]),
    on: z.strictObject({
      source: name,
      schema: name.optional(),
      table: name.optional(),
      columns: z.array(name).min(1).optional(),
    }),
  })
  .superRefine((grant, context) => {
    if (grant.on.table !== undefined && grant.on.schema === undefined) {
      context.addIssue({ code: 'custom', message: 'on.table needs on.schema', path: ['on', 'table'] });
    }
    if (grant.on.columns !== undefined && grant.on.table === undefined) {
      context.addIssue({ code: 'custom', message: 'on.columns needs on.table', path: ['on', 'columns'] });
    }
  });

const audience = z
  .strictObject({ roles: roleList.optional(), users: roleList.optional(), groups: roleList.optional() })
  .refine(
    (value) => (value.roles?.length ?? 0) + (value.users?.length ?? 0) + (value.groups?.length ?? 0) > 0,
    'name at least one role, user or group (leave applies_to out to apply to everyone)',
  );

/** Roles and groups whose members escape a row filter or see an unmasked column. */
const exemption = z
  .strictObject({ roles: roleList.optional(), groups: roleList.optional() })
  .refine(
    (value) => (value.roles?.length ?? 0) + (value.groups?.length ?? 0) > 0,
    'name at least one role or group',
  );

export const RowFilterSchema = z.strictObject({
  id,
  table: qualifiedTable,
  predicate: policySql,
  applies_to: audience.optional(),
  exempt: exemption.optional(),
});

const count = z.number().int().min(0).max(1000);

export const MaskSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('redact'), value: z.string().max(1000).optional() }),
  z.strictObject({ kind: z.literal('null') }),
  z.strictObject({ kind: z.literal('hash') }),
  z.strictObject({
    kind: z.literal('partial'),
    keep_first: count.optional(),
    keep_last: count.optional(),
    fill: z.string().min(1).max(16).optional(),
  }),
  z.strictObject({ kind: z.literal('email_domain') }),
  z.strictObject({ kind: z.literal('expression'), sql: policySql }),
]);

export const ColumnMaskSchema = z.strictObject({
  id,
  table: qualifiedTable,
  column: name,
  mask: MaskSpecSchema,
  unless: exemption.optional(),
});

export const RowProtectionSchema = z.strictObject({
  id,
  table: qualifiedTable,
  condition: policySql,
  action: z.enum(['skip', 'blank', 'mask', 'randomize']),
  columns: z.array(name).min(1).optional(),
});

export const TagAssignmentSchema = z.strictObject({
  table: qualifiedTable,
  column: name.optional(),
  tags: z.array(name).min(1),
});

const attributeValue = z.union([z.string(), z.number(), z.boolean()]);

export const AttributeConditionSchema = z
  .strictObject({
    attribute: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'attribute names are identifiers'),
    op: z.enum(['=', '!=', '>', '>=', '<', '<=', 'in']),
    value: z.union([attributeValue, z.array(attributeValue)]),
  })
  .refine((condition) => (condition.op === 'in') === Array.isArray(condition.value), {
    message: "'in' takes a list of values; the other operators a single value",
    path: ['value'],
  });

export const TagRuleSchema = z
  .strictObject({
    id,
    tag: name,
    effect: z.enum(['mask', 'deny']),
    mask: MaskSpecSchema.optional(),
    unless: AttributeConditionSchema.optional(),
  })
  .refine((rule) => (rule.effect === 'mask') === (rule.mask !== undefined), {
    message: 'a mask rule needs `mask`; a deny rule takes none',
    path: ['mask'],
  });

export const PolicySetSchema = z
  .strictObject({
    version: z.number().int().min(0),
    grants: z.array(GrantSchema).default([]),
    rowFilters: z.array(RowFilterSchema).default([]),
    masks: z.array(ColumnMaskSchema).default([]),
    protections: z.array(RowProtectionSchema).default([]),
    tags: z.array(TagAssignmentSchema).default([]),
    tagRules: z.array(TagRuleSchema).default([]),
  })
  .superRefine((set, context) => {
    const seen = new Set<string>();
    const lists = ['grants', 'rowFilters', 'masks', 'protections', 'tagRules'] as const;
    for (const list of lists) {
      set[list].forEach((entry, index) => {
        if (seen.has(entry.id))
          context.addIssue({
            code: 'custom',
            message: `duplicate id ${entry.id}`,
            path: [list, index, 'id'],
          });
        seen.add(entry.id);
      });
    }
  });

export type Grant = z.infer<typeof GrantSchema>;
export type RowFilter = z.infer<typeof RowFilterSchema>;
export type MaskSpec = z.infer<typeof MaskSpecSchema>;
export type ColumnMask = z.infer<typeof ColumnMaskSchema>;
export type RowProtection = z.infer<typeof RowProtectionSchema>;
export type TagAssignment = z.infer<typeof TagAssignmentSchema>;
export type AttributeCondition = z.infer<typeof AttributeConditionSchema>;
export type TagRule = z.infer<typeof TagRuleSchema>;
export type PolicySet = z.infer<typeof PolicySetSchema>;

/**
 * Validates the shape of a policy set (not its SQL: see loadPolicySet).
 * Throws INVALID_ARGUMENT listing every problem with its path.
 */
export function parsePolicySet(input: unknown): PolicySet {
  const result = PolicySetSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
  );
  throw TributaryError.invalid(`invalid policy set: ${problems.join('; ')}`, { problems });
}

/** Parses `source.schema.table`; parts may be double-quoted with "" for a quote. */
export function parseTableName(text: string): TableRef | undefined {
  const parts: string[] = [];
  let i = 0;
  while (i <= text.length) {
    let part = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) return undefined;
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += text[i];
        i++;
      }
    } else {
      const end = text.indexOf('.', i);
      part = text.slice(i, end === -1 ? text.length : end);
      if (part.includes('"')) return undefined;
      i = end === -1 ? text.length : end;
    }
    if (part === '') return undefined;
    parts.push(part);
    if (i === text.length) break;
    if (text[i] !== '.') return undefined;
    i++;
    if (i === text.length) return undefined;
  }
  if (parts.length !== 3) return undefined;
  const [source, schema, table] = parts as [string, string, string];
  return { source, schema, table };
}
