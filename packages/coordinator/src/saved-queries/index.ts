// Saved queries: named, versioned SQL with typed parameters, bound (never
// spliced) when executed.
export { bindParameters, checkPlaceholders, declaredParameters, PARAMETER_TYPES } from './parameters.js';
export {
  type NewSavedQuery,
  type SavedQueryChange,
  type SavedQueryExecution,
  SavedQueryService,
  type SavedQueryServiceDeps,
  type SqlChecker,
} from './saved-query-service.js';
