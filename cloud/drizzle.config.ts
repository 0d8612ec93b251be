import { defineConfig } from 'drizzle-kit';

// Migrations are generated from the schema and applied at open by `openDatabase` (both drivers).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './drizzle',
});
