import { defineConfig } from 'vite';
import { pageConfig } from '../vitePage';

export default defineConfig(pageConfig(import.meta.url, { port: 5175 }));
