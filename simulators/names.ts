/** Names, addresses and phones for the synthetic archive: Chinese and Latin spellings, around Hangzhou. */
import type { Rng } from './rng.js';

const BRANDS: readonly (readonly [string, string])[] = [
  ['恒达', 'Hengda'], ['华信', 'Huaxin'], ['金石', 'Jinshi'], ['新安', 'Xin\'an'], ['富春', 'Fuchun'],
  ['钱江', 'Qianjiang'], ['西子', 'Xizi'], ['天工', 'Tiangong'], ['东方', 'Dongfang'], ['中泰', 'Zhongtai'],
  ['宏远', 'Hongyuan'], ['万向', 'Wanxiang'], ['海创', 'Haichuang'], ['三星', 'Sanxing'], ['永盛', 'Yongsheng'],
];
const INDUSTRIES: readonly (readonly [string, string])[] = [
  ['纺织', 'Textile'], ['机械', 'Machinery'], ['化工', 'Chemical'], ['电子', 'Electronics'], ['食品', 'Food'],
  ['医药', 'Pharmaceutical'], ['印染', 'Dyeing & Printing'], ['建材', 'Building Materials'], ['精密制造', 'Precision Manufacturing'],
];
const KEY_SITES: readonly (readonly [string, string])[] = [
  ['杭州市第一人民医院', 'Hangzhou First People\'s Hospital'], ['杭州地铁运营公司', 'Hangzhou Metro Operation Co.'],
  ['滨江数据中心', 'Binjiang Data Center'], ['杭州东站枢纽', 'Hangzhou East Railway Hub'], ['市政府机关事务局', 'Municipal Government Office'],
  ['自来水厂', 'Municipal Waterworks'], ['浙江大学紫金港校区', 'Zhejiang University Zijingang Campus'],
];
const SHOPS: readonly (readonly [string, string])[] = [
  ['便利店', 'Convenience Store'], ['餐馆', 'Restaurant'], ['超市', 'Supermarket'], ['酒店', 'Hotel'], ['药房', 'Pharmacy'], ['健身房', 'Gym'],
];
const SURNAMES: readonly (readonly [string, string])[] = [
  ['王', 'Wang'], ['李', 'Li'], ['张', 'Zhang'], ['刘', 'Liu'], ['陈', 'Chen'], ['杨', 'Yang'], ['赵', 'Zhao'], ['黄', 'Huang'], ['周', 'Zhou'], ['吴', 'Wu'],
];
const GIVEN: readonly (readonly [string, string])[] = [
  ['伟', 'Wei'], ['芳', 'Fang'], ['娜', 'Na'], ['敏', 'Min'], ['静', 'Jing'], ['强', 'Qiang'], ['磊', 'Lei'], ['洋', 'Yang'], ['秀英', 'Xiuying'], ['建国', 'Jianguo'],
];
const DISTRICTS: readonly (readonly [string, string])[] = [
  ['西湖区', 'Xihu District'], ['上城区', 'Shangcheng District'], ['拱墅区', 'Gongshu District'], ['滨江区', 'Binjiang District'],
  ['萧山区', 'Xiaoshan District'], ['余杭区', 'Yuhang District'], ['钱塘区', 'Qiantang District'], ['富阳区', 'Fuyang District'],
];
const ROADS: readonly (readonly [string, string])[] = [
  ['文三路', 'Wensan Road'], ['天目山路', 'Tianmushan Road'], ['延安路', 'Yan\'an Road'], ['江南大道', 'Jiangnan Avenue'],
  ['莫干山路', 'Moganshan Road'], ['古墩路', 'Gudun Road'], ['学院路', 'Xueyuan Road'], ['秋涛路', 'Qiutao Road'],
];

export const ACCOUNT_MANAGERS: readonly string[] = ['张明', '李静', '王海涛', '陈晓红', 'Liu Yang', 'Zhou Min', 'Chen Jie', '赵磊'];

export type NameStyle = 'company' | 'key-site' | 'shop' | 'person';

/** A name in Chinese or (about one time in four) in Latin spelling. */
export function customerName(rng: Rng, style: NameStyle): string {
  const latin = rng.chance(0.25);
  const at = (pair: readonly [string, string]) => (latin ? pair[1] : pair[0]);
  switch (style) {
    case 'company': {
      const brand = at(rng.pick(BRANDS));
      const industry = at(rng.pick(INDUSTRIES));
      return latin ? `Hangzhou ${brand} ${industry} Co., Ltd.` : `杭州${brand}${industry}有限公司`;
    }
    case 'key-site':
      return at(rng.pick(KEY_SITES));
    case 'shop': {
      const brand = at(rng.pick(BRANDS));
      return latin ? `${brand} ${at(rng.pick(SHOPS))}` : `${brand}${at(rng.pick(SHOPS))}`;
    }
    case 'person':
      return latin ? `${rng.pick(SURNAMES)[1]} ${rng.pick(GIVEN)[1]}` : `${rng.pick(SURNAMES)[0]}${rng.pick(GIVEN)[0]}`;
  }
}

export function address(rng: Rng, residential: boolean): string {
  const latin = rng.chance(0.2);
  const district = rng.pick(DISTRICTS);
  const road = rng.pick(ROADS);
  const no = rng.int(1, 999);
  const flat = residential ? rng.int(1, 30) * 100 + rng.int(1, 4) : 0;
  if (latin) return `${residential ? `Flat ${flat}, ` : ''}No. ${no} ${road[1]}, ${district[1]}, Hangzhou`;
  return `杭州市${district[0]}${road[0]}${no}号${residential ? `${rng.int(1, 20)}幢${flat}室` : ''}`;
}

/** Landlines (0571 is Hangzhou) for organisations, mobiles for households. */
export function phone(rng: Rng, mobile: boolean): string {
  if (mobile) return `1${rng.pick(['38', '39', '58', '59', '86', '88'])}${String(rng.int(0, 99_999_999)).padStart(8, '0')}`;
  return `0571-8${String(rng.int(0, 9_999_999)).padStart(7, '0')}`;
}
