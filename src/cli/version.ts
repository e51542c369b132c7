/** The product version the CLI reports (`nas --version`) and records in run directories; package.json's. */
export const PRODUCT_VERSION = '0.1.0';
