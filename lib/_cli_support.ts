// Checks on flag values that the reference grammar does not cover directly.

const LABEL = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const HOST = new RegExp(
  `^(?:${LABEL}(?:\\.${LABEL})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?$`,
);

/** Returns why a registry name is not valid, or undefined when it is. */
export function checkRegistryName(value: string): string | undefined {
  if (value === "") return "registry name is empty";
  if (/^[a-z]+:\/\//i.test(value)) {
    return "expected a registry host without a scheme";
  }
  if (value.includes("/")) {
    return 'expected a registry host such as "registry.io:5000", without a path';
  }
  if (!HOST.test(value)) return "not a valid registry host";
  return undefined;
}
