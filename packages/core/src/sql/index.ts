export { digestOf } from './digest.js';
export { qualifiedName, quoteIdentifier, quoteLiteral } from './quote.js';
