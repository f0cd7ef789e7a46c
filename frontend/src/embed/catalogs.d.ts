// The widget's catalogs, built by the embed-catalogs plugin of vite.embed.config.ts:
// language → the keys of src/embed/keys.ts → text.
declare module "virtual:embed-catalogs" {
  const catalogs: Record<string, Record<import("./keys").EmbedKey, string>>;
  export default catalogs;
}
