/** The demo outlet: one food court, three tenants, each with its own kitchen. */
export interface Tenant {
  id: number;
  name: string;
}

export interface Category {
  id: number;
  tenant_id: number;
  name: string;
  sort_order: number;
}

export interface Product {
  id: number;
  tenant_id: number;
  category_id: number;
  name: string;
  description: string;
  /** Rupiah as a decimal string, as the Django API serialises DecimalField. */
  price: string;
  is_available: boolean;
  station?: string;
  /** The course a line of this product belongs to: what a cashier can hold and fire. */
  course?: number;
}

export interface Promotion {
  id: number;
  tenant_id: number;
  name: string;
  description: string;
  discount_type: 'percent' | 'amount';
  discount_value: string;
  product_ids: number[];
  start_date: string;
  end_date: string;
  is_active: boolean;
}

export const OUTLET = { id: 1, name: 'Food Court Malioboro' } as const;

export const TENANTS: Tenant[] = [
  { id: 1, name: 'Warung Nusantara' },
  { id: 2, name: 'Bakso Pak Kumis' },
  { id: 3, name: 'Kedai Kopi Senja' },
];

export const CATEGORIES: Category[] = [
  { id: 11, tenant_id: 1, name: 'Nasi', sort_order: 1 },
  { id: 12, tenant_id: 1, name: 'Lauk & Sayur', sort_order: 2 },
  { id: 13, tenant_id: 1, name: 'Mie', sort_order: 3 },
  { id: 21, tenant_id: 2, name: 'Bakso', sort_order: 1 },
  { id: 22, tenant_id: 2, name: 'Mie Ayam', sort_order: 2 },
  { id: 23, tenant_id: 2, name: 'Tambahan', sort_order: 3 },
  { id: 31, tenant_id: 3, name: 'Kopi', sort_order: 1 },
  { id: 32, tenant_id: 3, name: 'Non-Kopi', sort_order: 2 },
  { id: 33, tenant_id: 3, name: 'Camilan', sort_order: 3 },
];

type ProductRow = [id: number, category: number, name: string, price: string, description: string];

const PRODUCT_ROWS: ProductRow[] = [
  [101, 11, 'Nasi Goreng Kampung', '25000', 'Nasi goreng bumbu terasi, telur ceplok, kerupuk'],
  [102, 11, 'Nasi Goreng Seafood', '35000', 'Udang, cumi, sawi, acar'],
  [103, 11, 'Nasi Rendang', '38000', 'Rendang sapi Padang, daun singkong, sambal hijau'],
  [104, 11, 'Nasi Ayam Penyet', '28000', 'Ayam goreng diulek sambal bawang, lalapan'],
  [105, 11, 'Nasi Uduk Komplit', '27000', 'Ayam goreng, tempe orek, telur balado'],
  [106, 12, 'Gado-Gado', '22000', 'Sayur rebus, lontong, bumbu kacang'],
  [107, 12, 'Soto Ayam Lamongan', '24000', 'Kuah kuning, koya, telur rebus'],
  [108, 12, 'Sate Ayam (10 tusuk)', '30000', 'Bumbu kacang, lontong'],
  [109, 12, 'Tempe Mendoan', '12000', 'Lima potong, sambal kecap'],
  [110, 13, 'Mie Goreng Jawa', '25000', 'Mie kuning, ayam suwir, kol'],
  [111, 13, 'Kwetiau Siram', '27000', 'Kuah kental, sayur, bakso ikan'],
  [201, 21, 'Bakso Urat', '25000', 'Lima butir bakso urat, bihun, sawi'],
  [202, 21, 'Bakso Telur', '27000', 'Bakso isi telur puyuh'],
  [203, 21, 'Bakso Beranak', '35000', 'Satu bakso besar berisi bakso kecil'],
  [204, 21, 'Bakso Mercon', '28000', 'Isi cabai rawit, pedas'],
  [205, 22, 'Mie Ayam Original', '20000', 'Mie ayam kecap, pangsit rebus'],
  [206, 22, 'Mie Ayam Bakso', '26000', 'Mie ayam dengan dua butir bakso'],
  [207, 22, 'Mie Ayam Ceker', '24000', 'Mie ayam dengan ceker pedas'],
  [208, 23, 'Pangsit Goreng (5)', '10000', 'Renyah, saus sambal'],
  [209, 23, 'Tahu Bakso', '12000', 'Tiga potong'],
  [210, 23, 'Extra Bakso (3 butir)', '9000', 'Tambahan untuk semua menu'],
  [301, 31, 'Kopi Susu Gula Aren', '22000', 'Espresso, susu segar, gula aren'],
  [302, 31, 'Americano', '18000', 'Panas atau dingin'],
  [303, 31, 'Kopi Tubruk', '12000', 'Robusta Temanggung'],
  [304, 31, 'Es Kopi Pandan', '24000', 'Sirup pandan buatan sendiri'],
  [305, 32, 'Es Teh Manis', '8000', 'Teh tubruk, gula pasir'],
  [306, 32, 'Es Jeruk Peras', '12000', 'Jeruk Pontianak'],
  [307, 32, 'Jus Alpukat', '20000', 'Dengan susu cokelat'],
  [308, 32, 'Es Campur', '22000', 'Cincau, kolang-kaling, nangka, tape'],
  [309, 32, 'Wedang Jahe', '10000', 'Jahe bakar, gula batu'],
  [310, 33, 'Pisang Goreng Keju', '18000', 'Pisang kepok, keju, susu kental manis'],
  [311, 33, 'Roti Bakar Cokelat', '16000', 'Roti tawar, meses, mentega'],
  [312, 33, 'Singkong Goreng', '14000', 'Bumbu bawang, sambal roa'],
];

// Warung Nusantara cooks on two stations (wok and grill), so one of its orders shows on two
// station screens and an expo screen.
const STATION_BY_CATEGORY: Record<number, string> = { 11: 'wok', 12: 'grill', 13: 'wok' };
const STATION_BY_TENANT: Record<number, string> = { 2: 'kuah', 3: 'bar' };
// Course 1 (drinks, sides, snacks) goes at once; course 2 (mains) is the one a cashier holds.
const MAIN_CATEGORIES = new Set([11, 13, 21, 22]);

export const PRODUCTS: Product[] = PRODUCT_ROWS.map(
  ([id, category_id, name, price, description]) => {
    const tenant_id = Math.floor(category_id / 10);
    const station = STATION_BY_CATEGORY[category_id] ?? STATION_BY_TENANT[tenant_id];
    return {
      id,
      tenant_id,
      category_id,
      name,
      description,
      price,
      is_available: true,
      ...(station ? { station } : {}),
      course: MAIN_CATEGORIES.has(category_id) ? 2 : 1,
    };
  },
);

/** Withdrawn from the menu; served as tombstones so caches learn to drop them. */
export const DISCONTINUED_PRODUCT_IDS = [111, 312];

export function demoPromotions(now: Date): Promotion[] {
  const day = 24 * 60 * 60 * 1000;
  const iso = (offsetDays: number) => new Date(now.getTime() + offsetDays * day).toISOString();
  return [
    {
      id: 1,
      tenant_id: 3,
      name: 'Happy Hour Kopi',
      description: 'Diskon 20% semua kopi',
      discount_type: 'percent',
      discount_value: '20',
      product_ids: [301, 302, 303, 304],
      start_date: iso(-7),
      end_date: iso(30),
      is_active: true,
    },
    {
      id: 2,
      tenant_id: 2,
      name: 'Paket Hemat Bakso',
      description: 'Potongan Rp5.000 untuk Bakso Beranak',
      discount_type: 'amount',
      discount_value: '5000',
      product_ids: [203],
      start_date: iso(-1),
      end_date: iso(6),
      is_active: true,
    },
    {
      id: 3,
      tenant_id: 1,
      name: 'Promo Lebaran',
      description: 'Sudah berakhir',
      discount_type: 'percent',
      discount_value: '10',
      product_ids: [103],
      start_date: iso(-60),
      end_date: iso(-30),
      is_active: false,
    },
  ];
}
