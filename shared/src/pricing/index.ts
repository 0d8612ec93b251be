export * from './pricing-error.ts';
export * from './promotions.ts';
export * from './taxes.ts';
export * from './tab-facts.ts';
export * from './priced-tab.ts';
export * from './price-tab.ts';
