/** The protocol's name and version, apart from its schemas so the loader can say them without zod. */
export const PROTOCOL = 'obscura-widget';
export const PROTOCOL_VERSION = 1;
