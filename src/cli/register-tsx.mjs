// Lets Node import the CLI's TypeScript sources; resolved from this file, so it works from any directory.
import { register } from 'tsx/esm/api';
register();
