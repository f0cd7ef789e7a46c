// A tiny history router for the console: paths under /admin/.

import { useEffect, useState } from "preact/hooks";

const listeners = new Set<() => void>();

export function go(path: string) {
  if (path !== location.pathname) history.pushState(null, "", path);
  listeners.forEach((f) => f());
}

addEventListener("popstate", () => listeners.forEach((f) => f()));

export function usePath(): string {
  const [p, setP] = useState(location.pathname);
  useEffect(() => {
    const f = () => setP(location.pathname);
    listeners.add(f);
    return () => void listeners.delete(f);
  }, []);
  return p;
}
