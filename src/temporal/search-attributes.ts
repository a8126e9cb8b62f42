/** The product's search attributes; defined beside the workflows, which upsert them. */
export * from '../../workflows/search-attributes.js';
