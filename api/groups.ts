/** API groups and the one version every Headwater kind is served at. */
export const SOURCES_GROUP = 'sources.headwater.dev';
export const EVENTING_GROUP = 'eventing.headwater.dev';
export const VERSION = 'v1alpha1';
export const SOURCES_API_VERSION = `${SOURCES_GROUP}/${VERSION}`;
export const EVENTING_API_VERSION = `${EVENTING_GROUP}/${VERSION}`;
