export { qualifiedName, quoteIdentifier, quoteLiteral } from './quote.js';
