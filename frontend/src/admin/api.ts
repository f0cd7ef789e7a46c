// The console's API client: the browser session cookie (HttpOnly, SameSite=Lax)
// authenticates; every unsafe request carries the session's CSRF token.

export interface User {
  email: string;
  admin: boolean;
}

export class Problem extends Error {
  constructor(
    public status: number,
    public title: string,
    public detail: string,
    public field?: string,
    public current?: any,
  ) {
    super(detail || title);
  }
}

let csrf = "";
/** onUnauthorized is called when the session has ended (401 outside the login). */
export let onUnauthorized: () => void = () => {};
export function setOnUnauthorized(f: () => void) {
  onUnauthorized = f;
}

export async function request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ data: T; etag: string | null }> {
  const h: Record<string, string> = { Accept: "application/json", ...headers };
  if (body !== undefined) h["Content-Type"] = "application/json";
  if (method !== "GET" && method !== "HEAD" && csrf) h["X-CSRF-Token"] = csrf;
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
    cache: "no-store",
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) {
    if (res.status === 401 && path !== "/session") onUnauthorized();
    throw new Problem(res.status, data?.title ?? res.statusText, data?.detail ?? "", data?.field, data?.current);
  }
  return { data: data as T, etag: res.headers.get("ETag") };
}

export const get = <T = any>(path: string) => request<T>("GET", path).then((r) => r.data);
export const post = <T = any>(path: string, body?: unknown) => request<T>("POST", path, body ?? {}).then((r) => r.data);
export const patch = <T = any>(path: string, body: unknown, revision?: number) =>
  request<T>("PATCH", path, body, revision === undefined ? {} : { "If-Match": `"${revision}"` }).then((r) => r.data);
export const del = (path: string, revision?: number) =>
  request("DELETE", path, undefined, revision === undefined ? {} : { "If-Match": `"${revision}"` }).then(() => undefined);

export async function session(): Promise<User | null> {
  try {
    const s = await get<{ user: User; csrf_token: string }>("/session");
    csrf = s.csrf_token;
    return s.user;
  } catch (e) {
    if (e instanceof Problem && e.status === 401) return null;
    throw e;
  }
}

export async function login(email: string, password: string): Promise<User> {
  const s = await post<{ user: User; csrf_token: string }>("/session", { email, password });
  csrf = s.csrf_token;
  return s.user;
}

export async function logout(): Promise<void> {
  await request("DELETE", "/session");
  csrf = "";
}
