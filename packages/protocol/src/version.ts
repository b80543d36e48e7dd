/** Version of the JSON protocol spoken on the runtime-API socket. */
export const PROTOCOL_VERSION = 1;

/** Version of lbd and lbctl, reported by `show info` and `hello`. */
export const PRODUCT_VERSION = '0.1.0';
