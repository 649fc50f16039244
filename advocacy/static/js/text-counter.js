/*
 * Relais: live length counter for share texts.
 *
 * The browser twin of advocacy/services/text_rules.py and text_urls.py (the
 * server's word is final; see the module docstring there for the rules per
 * network and why X's rules are our own implementation). Both read the same
 * cases in tests/unit/text_rules_cases.json, so keep them in step.
 *
 * Plain ES2020, no dependencies, nothing evaluated from strings, no inline
 * handlers: safe under a strict Content-Security-Policy. Include it with
 *   <script src=".../js/text-counter.js" defer></script>
 * and mark up
 *   <textarea id="share-x" data-network="x"></textarea>
 *   <span data-counter-for="share-x"></span>
 * The counter then shows "n / limit" (or "n" where there is no limit) and
 * gets the class "over-limit" when the text is too long.
 */
(function () {
  'use strict';

  const NETWORKS = ['x', 'bluesky', 'mastodon', 'linkedin', 'whatsapp', 'email'];
  const LIMITS = { x: 280, bluesky: 300, mastodon: 500, linkedin: 3000, whatsapp: 4096, email: null };
  const X_URL_WEIGHT = 23;
  const X_EMOJI_WEIGHT = 2;
  const MASTODON_URL_WEIGHT = 23;
  const MAX_URL_LENGTH = 4096;
  const MAX_LABEL_LENGTH = 63;
  const MAX_TCO_SLUG_LENGTH = 40;
  // twitter-text v3 configuration: these ranges weigh 1, everything else 2.
  const LIGHT_RANGES = [[0x0000, 0x10ff], [0x2000, 0x200d], [0x2010, 0x201f], [0x2032, 0x2037]];

  /* TLDS-BEGIN (generated from advocacy/services/text_tlds.py) */
  const TLDS = (
    "aaa aarp abarth abb abbott abbvie abc able abogado abudhabi ac academy " +
    "accenture accountant accountants aco active actor ad adac ads adult ae " +
    "aeg aero aetna af afamilycompany afl africa ag agakhan agency ai aig " +
    "aigo airbus airforce airtel akdn al alfaromeo alibaba alipay allfinanz " +
    "allstate ally alsace alstom am americanexpress americanfamily amex " +
    "amfam amica amsterdam an analytics android anquan anz ao aol " +
    "apartments app apple aq aquarelle ar arab aramco archi army arpa art " +
    "arte as asda asia associates at athleta attorney au auction audi " +
    "audible audio auspost author auto autos avianca aw aws ax axa az azure " +
    "ba baby baidu banamex bananarepublic band bank bar barcelona " +
    "barclaycard barclays barefoot bargains baseball basketball bauhaus " +
    "bayern bb bbc bbt bbva bcg bcn bd be beats beauty beer bentley berlin " +
    "best bestbuy bet bf bg bh bharti bi bible bid bike bing bingo bio biz " +
    "bj bl black blackfriday blanco blockbuster blog bloomberg blue bm bms " +
    "bmw bn bnl bnpparibas bo boats boehringer bofa bom bond boo book " +
    "booking boots bosch bostik boston bot boutique box bq br bradesco " +
    "bridgestone broadway broker brother brussels bs bt budapest bugatti " +
    "build builders business buy buzz bv bw by bz bzh ca cab cafe cal call " +
    "calvinklein cam camera camp cancerresearch canon capetown capital " +
    "capitalone car caravan cards care career careers cars cartier casa " +
    "case caseih cash casino cat catering catholic cba cbn cbre cbs cc cd " +
    "ceb center ceo cern cf cfa cfd cg ch chanel channel charity chase chat " +
    "cheap chintai chloe christmas chrome chrysler church ci cipriani " +
    "circle cisco citadel citi citic city cityeats ck cl claims cleaning " +
    "click clinic clinique clothing cloud club clubmed cm cn co coach codes " +
    "coffee college cologne com comcast commbank community company compare " +
    "computer comsec condos construction consulting contact contractors " +
    "cooking cookingchannel cool coop corsica country coupon coupons " +
    "courses cpa cr credit creditcard creditunion cricket crown crs cruise " +
    "cruises csc cu cuisinella cv cw cx cy cymru cyou cz dabur dad dance " +
    "data date dating datsun day dclk dds de deal dealer deals degree " +
    "delivery dell deloitte delta democrat dental dentist desi design dev " +
    "dhl diamonds diet digital direct directory discount discover dish diy " +
    "dj dk dm dnp do docs doctor dodge dog doha domains doosan dot download " +
    "drive dtv dubai duck dunlop duns dupont durban dvag dvr dz earth eat " +
    "ec eco edeka edu education ee eg eh email emerck energy engineer " +
    "engineering enterprises epost epson equipment er ericsson erni es esq " +
    "estate esurance et etisalat eu eurovision eus events everbank exchange " +
    "expert exposed express extraspace fage fail fairwinds faith family fan " +
    "fans farm farmers fashion fast fedex feedback ferrari ferrero fi fiat " +
    "fidelity fido film final finance financial fire firestone firmdale " +
    "fish fishing fit fitness fj fk flickr flights flir florist flowers " +
    "flsmidth fly fm fo foo food foodnetwork football ford forex forsale " +
    "forum foundation fox fr free fresenius frl frogans frontdoor frontier " +
    "ftr fujitsu fujixerox fun fund furniture futbol fyi ga gal gallery " +
    "gallo gallup game games gap garden gay gb gbiz gd gdn ge gea gent " +
    "genting george gf gg ggee gh gi gift gifts gives giving gl glade glass " +
    "gle global globo gm gmail gmbh gmo gmx gn godaddy gold goldpoint golf " +
    "goo goodhands goodyear goog google gop got gov gp gq gr grainger " +
    "graphics gratis green gripe grocery group gs gt gu guardian gucci guge " +
    "guide guitars guru gw gy hair hamburg hangout haus hbo hdfc hdfcbank " +
    "health healthcare help helsinki here hermes hgtv hiphop hisamitsu " +
    "hitachi hiv hk hkt hm hn hockey holdings holiday homedepot homegoods " +
    "homes homesense honda honeywell horse hospital host hosting hot " +
    "hoteles hotels hotmail house how hr hsbc ht htc hu hughes hyatt " +
    "hyundai ibm icbc ice icu id ie ieee ifm iinet ikano il im imamat imdb " +
    "immo immobilien in inc industries infiniti info ing ink institute " +
    "insurance insure int intel international intuit investments io " +
    "ipiranga iq ir irish is iselect ismaili ist istanbul it itau itv iveco " +
    "iwc jaguar java jcb jcp je jeep jetzt jewelry jio jlc jll jm jmp jnj " +
    "jo jobs joburg jot joy jp jpmorgan jprs juegos juniper kaufen kddi ke " +
    "kerryhotels kerrylogistics kerryproperties kfh kg kh ki kia kim kinder " +
    "kindle kitchen kiwi km kn koeln komatsu kosher kp kpmg kpn kr krd kred " +
    "kuokgroup kw ky kyoto kz la lacaixa ladbrokes lamborghini lamer " +
    "lancaster lancia lancome land landrover lanxess lasalle lat latino " +
    "latrobe law lawyer lb lc lds lease leclerc lefrak legal lego lexus " +
    "lgbt li liaison lidl life lifeinsurance lifestyle lighting like lilly " +
    "limited limo lincoln linde link lipsy live living lixil lk llc llp " +
    "loan loans locker locus loft lol london lotte lotto love lpl " +
    "lplfinancial lr ls lt ltd ltda lu lundbeck lupin luxe luxury lv ly ma " +
    "macys madrid maif maison makeup man management mango map market " +
    "marketing markets marriott marshalls maserati mattel mba mc mcd " +
    "mcdonalds mckinsey md me med media meet melbourne meme memorial men " +
    "menu meo merckmsd metlife mf mg mh miami microsoft mil mini mint mit " +
    "mitsubishi mk ml mlb mls mm mma mn mo mobi mobile mobily moda moe moi " +
    "mom monash money monster montblanc mopar mormon mortgage moscow moto " +
    "motorcycles mov movie movistar mp mq mr ms msd mt mtn mtpc mtr mu " +
    "museum mutual mutuelle mv mw mx my mz na nab nadex nagoya name " +
    "nationwide natura navy nba nc ne nec net netbank netflix network " +
    "neustar new newholland news next nextdirect nexus nf nfl ng ngo nhk ni " +
    "nico nike nikon ninja nissan nissay nl no nokia northwesternmutual " +
    "norton now nowruz nowtv np nr nra nrw ntt nu nyc nz obi observer off " +
    "office okinawa olayan olayangroup oldnavy ollo om omega one ong onion " +
    "onl online onyourside ooo open oracle orange org organic orientexpress " +
    "origins osaka otsuka ott ovh pa page pamperedchef panasonic panerai " +
    "paris pars partners parts party passagens pay pccw pe pet pf pfizer pg " +
    "ph pharmacy phd philips phone photo photography photos physio piaget " +
    "pics pictet pictures pid pin ping pink pioneer pizza pk pl place play " +
    "playstation plumbing plus pm pn pnc pohl poker politie porn post pr " +
    "pramerica praxi press prime pro prod productions prof progressive " +
    "promo properties property protection pru prudential ps pt pub pw pwc " +
    "py qa qpon quebec quest qvc racing radio raid re read realestate " +
    "realtor realty recipes red redstone redumbrella rehab reise reisen " +
    "reit reliance ren rent rentals repair report republican rest " +
    "restaurant review reviews rexroth rich richardli ricoh rightathome ril " +
    "rio rip rmit ro rocher rocks rodeo rogers room rs rsvp ru rugby ruhr " +
    "run rw rwe ryukyu sa saarland safe safety sakura sale salon samsclub " +
    "samsung sandvik sandvikcoromant sanofi sap sapo sarl sas save saxo sb " +
    "sbi sbs sc sca scb schaeffler schmidt scholarships school schule " +
    "schwarz science scjohnson scor scot sd se search seat secure security " +
    "seek select sener services ses seven sew sex sexy sfr sg sh shangrila " +
    "sharp shaw shell shia shiksha shoes shop shopping shouji show showtime " +
    "shriram si silk sina singles site sj sk ski skin sky skype sl sling sm " +
    "smart smile sn sncf so soccer social softbank software sohu solar " +
    "solutions song sony soy space spiegel sport spot spreadbetting sr srl " +
    "srt ss st stada staples star starhub statebank statefarm statoil stc " +
    "stcgroup stockholm storage store stream studio study style su sucks " +
    "supplies supply support surf surgery suzuki sv swatch swiftcover swiss " +
    "sx sy sydney symantec systems sz tab taipei talk taobao target " +
    "tatamotors tatar tattoo tax taxi tc tci td tdk team tech technology " +
    "tel telecity telefonica temasek tennis teva tf tg th thd theater " +
    "theatre tiaa tickets tienda tiffany tips tires tirol tj tjmaxx tjx tk " +
    "tkmaxx tl tm tmall tn to today tokyo tools top toray toshiba total " +
    "tours town toyota toys tp tr trade trading training travel " +
    "travelchannel travelers travelersinsurance trust trv tt tube tui tunes " +
    "tushu tv tvs tw tz ua ubank ubs uconnect ug uk um unicom university " +
    "uno uol ups us uy uz va vacations vana vanguard vc ve vegas ventures " +
    "verisign versicherung vet vg vi viajes video vig viking villas vin vip " +
    "virgin visa vision vista vistaprint viva vivo vlaanderen vn vodka " +
    "volkswagen volvo vote voting voto voyage vu vuelos wales walmart " +
    "walter wang wanggou warman watch watches weather weatherchannel webcam " +
    "weber website wed wedding weibo weir wf whoswho wien wiki williamhill " +
    "win windows wine winners wme wolterskluwer woodside work works world " +
    "wow ws wtc wtf xbox xerox xfinity xihuan xin xperia xxx xyz yachts " +
    "yahoo yamaxun yandex ye yodobashi yoga yokohama you youtube yt yun za " +
    "zappos zara zero zip zippo zm zone zuerich zw " +
    "verm\u00f6gensberater verm\u00f6gensberatung \u03b5\u03bb \u03b5\u03c5 \u0431\u0433 \u0431\u0435\u043b \u0434\u0435\u0442\u0438 \u0435\u044e \u043a\u0430\u0442\u043e\u043b\u0438\u043a \u043a\u043e\u043c " +
    "\u043c\u043a\u0434 \u043c\u043e\u043d \u043c\u043e\u0441\u043a\u0432\u0430 \u043e\u043d\u043b\u0430\u0439\u043d \u043e\u0440\u0433 \u0440\u0443\u0441 \u0440\u0444 \u0441\u0430\u0439\u0442 \u0441\u0440\u0431 \u0443\u043a\u0440 \u049b\u0430\u0437 \u0570\u0561\u0575 \u05e7\u05d5\u05dd \u0627\u0628\u0648\u0638\u0628\u064a " +
    "\u0627\u062a\u0635\u0627\u0644\u0627\u062a \u0627\u0631\u0627\u0645\u0643\u0648 \u0627\u0644\u0627\u0631\u062f\u0646 \u0627\u0644\u0628\u062d\u0631\u064a\u0646 \u0627\u0644\u062c\u0632\u0627\u0626\u0631 \u0627\u0644\u0633\u0639\u0648\u062f\u064a\u0629 \u0627\u0644\u0639\u0644\u064a\u0627\u0646 \u0627\u0644\u0645\u063a\u0631\u0628 \u0627\u0645\u0627\u0631\u0627\u062a " +
    "\u0627\u06cc\u0631\u0627\u0646 \u0628\u0627\u0631\u062a \u0628\u0627\u0632\u0627\u0631 \u0628\u064a\u062a\u0643 \u0628\u06be\u0627\u0631\u062a \u062a\u0648\u0646\u0633 \u0633\u0648\u062f\u0627\u0646 \u0633\u0648\u0631\u064a\u0629 \u0634\u0628\u0643\u0629 \u0639\u0631\u0627\u0642 \u0639\u0631\u0628 \u0639\u0645\u0627\u0646 \u0641\u0644\u0633\u0637\u064a\u0646 " +
    "\u0642\u0637\u0631 \u0643\u0627\u062b\u0648\u0644\u064a\u0643 \u0643\u0648\u0645 \u0645\u0635\u0631 \u0645\u0644\u064a\u0633\u064a\u0627 \u0645\u0648\u0628\u0627\u064a\u0644\u064a \u0645\u0648\u0631\u064a\u062a\u0627\u0646\u064a\u0627 \u0645\u0648\u0642\u0639 \u0647\u0645\u0631\u0627\u0647 \u067e\u0627\u06a9\u0633\u062a\u0627\u0646 \u0680\u0627\u0631\u062a " +
    "\u0915\u0949\u092e \u0928\u0947\u091f \u092d\u093e\u0930\u0924 \u092d\u093e\u0930\u0924\u092e\u094d \u092d\u093e\u0930\u094b\u0924 \u0938\u0902\u0917\u0920\u0928 \u09ac\u09be\u0982\u09b2\u09be \u09ad\u09be\u09b0\u09a4 \u09ad\u09be\u09f0\u09a4 \u0a2d\u0a3e\u0a30\u0a24 \u0aad\u0abe\u0ab0\u0aa4 \u0b2d\u0b3e\u0b30\u0b24 \u0b87\u0ba8\u0bcd\u0ba4\u0bbf\u0baf\u0bbe " +
    "\u0b87\u0bb2\u0b99\u0bcd\u0b95\u0bc8 \u0b9a\u0bbf\u0b99\u0bcd\u0b95\u0baa\u0bcd\u0baa\u0bc2\u0bb0\u0bcd \u0c2d\u0c3e\u0c30\u0c24\u0c4d \u0cad\u0cbe\u0cb0\u0ca4 \u0d2d\u0d3e\u0d30\u0d24\u0d02 \u0dbd\u0d82\u0d9a\u0dcf \u0e04\u0e2d\u0e21 \u0e44\u0e17\u0e22 \u0ea5\u0eb2\u0ea7 \u10d2\u10d4 \u307f\u3093\u306a \u30af\u30e9\u30a6\u30c9 \u30b0\u30fc\u30b0\u30eb " +
    "\u30b3\u30e0 \u30b9\u30c8\u30a2 \u30bb\u30fc\u30eb \u30d5\u30a1\u30c3\u30b7\u30e7\u30f3 \u30dd\u30a4\u30f3\u30c8 \u4e16\u754c \u4e2d\u4fe1 \u4e2d\u56fd \u4e2d\u570b \u4e2d\u6587\u7f51 \u4f01\u4e1a \u4f5b\u5c71 \u4fe1\u606f \u5065\u5eb7 \u516b\u5366 \u516c\u53f8 \u516c\u76ca \u53f0\u6e7e \u53f0\u7063 \u5546\u57ce " +
    "\u5546\u5e97 \u5546\u6807 \u5609\u91cc \u5609\u91cc\u5927\u9152\u5e97 \u5728\u7ebf \u5927\u4f17\u6c7d\u8f66 \u5927\u62ff \u5929\u4e3b\u6559 \u5a31\u4e50 \u5bb6\u96fb \u5de5\u884c \u5e7f\u4e1c \u5fae\u535a \u6148\u5584 \u6211\u7231\u4f60 \u624b\u673a \u624b\u8868 \u62db\u8058 \u653f\u52a1 \u653f\u5e9c \u65b0\u52a0\u5761 " +
    "\u65b0\u95fb \u65f6\u5c1a \u66f8\u7c4d \u673a\u6784 \u6de1\u9a6c\u9521 \u6e38\u620f \u6fb3\u9580 \u70b9\u770b \u73e0\u5b9d \u79fb\u52a8 \u7ec4\u7ec7\u673a\u6784 \u7f51\u5740 \u7f51\u5e97 \u7f51\u7ad9 \u7f51\u7edc \u8054\u901a \u8bfa\u57fa\u4e9a \u8c37\u6b4c \u8d2d\u7269 \u901a\u8ca9 \u96c6\u56e2 " +
    "\u96fb\u8a0a\u76c8\u79d1 \u98de\u5229\u6d66 \u98df\u54c1 \u9910\u5385 \u9999\u683c\u91cc\u62c9 \u9999\u6e2f \ub2f7\ub137 \ub2f7\ucef4 \uc0bc\uc131 \ud55c\uad6d "
  ).trim().split(' ');
  /* TLDS-END */

  // ---- Links (mirror of text_urls.py; same pieces, same order) ----------

  const PUNCT = String.raw`!'#%&()*+,\\\-./:;<=>?@\[\]\^_{|}~$`;
  const SPACES = String.raw`\x09-\x0d\x20\x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000`;
  const INVALID = String.raw`\ufffe\ufeff\uffff`;
  const DIRECTIONAL = String.raw`\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069`;
  const LATIN_ACCENTS = String.raw`\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259` +
    String.raw`\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff`;
  const CYRILLIC = String.raw`\u0400-\u04ff`;
  const D = `[^${PUNCT}${SPACES}${INVALID}${DIRECTIONAL}]`;

  // A prefix tree of the TLDs: one attempt per character instead of 1,500.
  function trie(words) {
    const root = new Map();
    for (const word of words) {
      let node = root;
      for (const char of word) {
        if (!node.has(char)) node.set(char, new Map());
        node = node.get(char);
      }
      node.set('', new Map()); // a word ends here
    }
    const byCodePoint = (a, b) => a.codePointAt(0) - b.codePointAt(0);
    function emit(node) {
      const chars = [...node.keys()].filter((c) => c !== '').sort(byCodePoint);
      if (chars.length === 0) return '';
      const body = chars.map((c) => c + emit(node.get(c))).join('|');
      if (node.has('')) return `(?:${body})?`;
      return chars.length === 1 ? body : `(?:${body})`;
    }
    return emit(root);
  }

  const TLD = `(?:${trie(TLDS)}(?=[^0-9a-zA-Z@+-]|$)|xn--[\\-0-9a-z]+)`;
  // Hosts are found from per-dot tables (LabelChains below), not by an
  // expression: "SUBDOMAIN{0,125} DOMAIN_NAME TLD" was tried from every
  // position and backtracked over every label count (seconds for "x." * 5000).
  const MAX_SUBDOMAINS = 125;
  const MAX_LABEL_CHARS = 63;
  const PATH_CHAR = `[a-z${CYRILLIC}0-9!*';:=+,.$/%#\\[\\]\\-\\u2013_~@|&${LATIN_ACCENTS}]`;
  const PATH_END = `[+\\-a-z${CYRILLIC}0-9=_#/${LATIN_ACCENTS}]`;
  const PARENS = `\\((?:${PATH_CHAR}+|${PATH_CHAR}*\\(${PATH_CHAR}+\\)${PATH_CHAR}*)\\)`;
  const PATH = `(?:(?:${PATH_CHAR}|${PARENS})*(?:${PATH_END}|${PARENS}))`;
  const QUERY_CHAR = String.raw`[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]`;
  const QUERY_END = String.raw`[a-z0-9\-_&=#/]`;
  const QUERY = `${QUERY_CHAR}*${QUERY_END}`;

  // A link: a preceding character (or the start of the text), an optional
  // protocol, the host, then the tail (group 1: the path). Sticky ('y')
  // expressions are tried at one position only.
  const BEFORE_RE = new RegExp(`[^A-Za-z0-9@\uff20$#\uff03${INVALID}]`, 'iuy');
  const PROTOCOL_RE = /https?:\/\//iuy;
  const TAIL_RE = new RegExp(`(?::[0-9]+)?(/${PATH}?)?(?:\\?${QUERY})?`, 'iuy');
  const DOT_TLD_RE = new RegExp(`\\.(?:${TLD})`, 'giu'); // a TLD never holds a dot: no overlaps
  const HOST_CHARS_RE = new RegExp(`${D}+`, 'giu');
  const HOST_LABEL_CHARS_RE = new RegExp(`(?:${D}|[_-])+`, 'giu');
  const ASCII_LABEL_CHARS_RE = new RegExp(`[\\-a-z0-9${LATIN_ACCENTS}]+`, 'giu');
  const ASCII_HOST_RE = new RegExp(`^[.\\-a-z0-9${LATIN_ACCENTS}]+$`, 'iu');
  const TCO_RE = new RegExp(`^https?://t\\.co/([a-z0-9]+)(?:\\?${QUERY})?`, 'iu');

  function stickyAt(re, text, index) {
    re.lastIndex = index;
    return re.exec(text);
  }

  // UTF-16 units of the code point at i (expressions in 'u' mode step by code point).
  function pointLength(text, i) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) return 2;
    }
    return 1;
  }

  function isTrailOfPair(text, i) {
    return i > 0 && pointLength(text, i - 1) === 2;
  }

  function tldsAfterDots(text) {
    const ends = new Map();
    for (const m of text.matchAll(DOT_TLD_RE)) ends.set(m.index, m.index + m[0].length);
    return ends;
  }

  // Mirror of text_urls._LabelChains: the end of the longest host
  // "label. ... label. TLD" starting at a position, from tables indexed by dot.
  class LabelChains {
    constructor(text, chars, middle, last, maxMiddle, tlds) {
      this.text = text;
      this.middle = middle;
      this.last = last;
      this.maxMiddle = maxMiddle;
      const size = text.length;
      this.runEnd = new Array(size + 1).fill(0);
      this.runsBeforeDots = [];
      for (const run of text.matchAll(chars)) {
        const start = run.index;
        const end = start + run[0].length;
        this.runEnd.fill(end, start, end);
        if (end < size && text[end] === '.') this.runsBeforeDots.push([start, end]);
      }
      this.dots = [];
      for (let i = text.indexOf('.'); i >= 0; i = text.indexOf('.', i + 1)) this.dots.push(i);
      this.dotIndex = new Map(this.dots.map((position, j) => [position, j]));
      const count = this.dots.length;
      if (!tlds) tlds = tldsAfterDots(text);
      this.tldEnd = this.dots.map((dot) => (tlds.has(dot) ? tlds.get(dot) : null));
      const ends = this.dots.map((dot) => this.labelEnd(dot + 1));
      const followed = this.dots.map((dot, j) => j + 1 < count && dot + 1 < ends[j] && ends[j] === this.dots[j + 1]);
      this.middleRun = new Array(count + 1).fill(0);
      for (let j = count - 1; j >= 0; j -= 1) {
        if (followed[j] && middle(this.dots[j] + 1, ends[j])) this.middleRun[j] = this.middleRun[j + 1] + 1;
      }
      this.lastGood = new Array(count).fill(-1);
      for (let j = 0; j < count; j += 1) {
        const good = followed[j] && this.tldEnd[j + 1] !== null && last(this.dots[j] + 1, ends[j]);
        this.lastGood[j] = good ? j : (j ? this.lastGood[j - 1] : -1);
      }
    }

    labelEnd(start) {
      return start < this.text.length && this.runEnd[start] > start ? this.runEnd[start] : start;
    }

    best(first, middleBefore) {
      let middles = middleBefore ? 1 + this.middleRun[first] : 0;
      if (this.maxMiddle !== null) middles = Math.min(middles, this.maxMiddle);
      if (middles) {
        const last = this.lastGood[first + middles - 1];
        if (last >= first) return this.tldEnd[last + 1];
      }
      return null;
    }

    endOfHost(start) {
      const end = this.labelEnd(start);
      if (end === start || end >= this.text.length || this.text[end] !== '.') return null;
      const first = this.dotIndex.get(end);
      let found = this.best(first, this.middle(start, end));
      if (found === null && this.last(start, end)) found = this.tldEnd[first];
      return found;
    }

    possibleStarts() {
      return this.runsBeforeDots.filter(([, end]) => {
        const first = this.dotIndex.get(end);
        return this.tldEnd[first] !== null || this.best(first, true) !== null;
      });
    }
  }

  // Labels of 1-63 host characters (code points), joined inside by "-" or
  // "_" (only "-" in the last label).
  function hostChains(text, tlds) {
    const size = text.length;
    const isHostChar = new Array(size + 1).fill(false);
    for (const run of text.matchAll(HOST_CHARS_RE)) isHostChar.fill(true, run.index, run.index + run[0].length);
    const hostChars = new Array(size + 1).fill(0);
    const underscores = new Array(size + 1).fill(0);
    for (let i = 0; i < size; i += 1) {
      hostChars[i + 1] = hostChars[i] + (isHostChar[i] && !isTrailOfPair(text, i) ? 1 : 0);
      underscores[i + 1] = underscores[i] + (text[i] === '_' ? 1 : 0);
    }
    const middle = (start, end) => isHostChar[start] && isHostChar[end - 1]
      && hostChars[end] - hostChars[start] >= 1 && hostChars[end] - hostChars[start] <= MAX_LABEL_CHARS;
    const last = (start, end) => underscores[end] === underscores[start] && middle(start, end);
    return new LabelChains(text, HOST_LABEL_CHARS_RE, middle, last, MAX_SUBDOMAINS, tlds);
  }

  // Spans of (?:[-a-z0-9 accents]+\.)+TLD in host, as matchAll gives them.
  function asciiDomains(host) {
    if (!host.includes('.')) return [];
    if (ASCII_HOST_RE.test(host)) return [[0, host.length]]; // all ASCII labels: the whole host
    const yes = () => true;
    const chains = new LabelChains(host, ASCII_LABEL_CHARS_RE, yes, yes, null, null);
    const spans = [];
    let position = 0;
    while (position < host.length) {
      const end = chains.endOfHost(position);
      if (end === null) {
        position += pointLength(host, position);
      } else {
        spans.push([position, end]);
        position = end;
      }
    }
    return spans;
  }

  // RFC 3492 punycode, only to know how long a label is once encoded.
  function punycodeLength(label) {
    const input = Array.from(label, (c) => c.codePointAt(0));
    if (input.every((c) => c < 0x80)) return input.length;
    const base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700;
    const adapt = (delta, points, first) => {
      delta = first ? Math.floor(delta / damp) : delta >> 1;
      delta += Math.floor(delta / points);
      let k = 0;
      while (delta > ((base - tMin) * tMax) >> 1) {
        delta = Math.floor(delta / (base - tMin));
        k += base;
      }
      return k + Math.floor(((base - tMin + 1) * delta) / (delta + skew));
    };
    const basic = input.filter((c) => c < 0x80).length;
    let out = basic > 0 ? basic + 1 : 0; // basic code points and the "-"
    let n = 0x80, delta = 0, bias = 72, handled = basic;
    while (handled < input.length) {
      const m = Math.min(...input.filter((c) => c >= n));
      delta += (m - n) * (handled + 1);
      n = m;
      for (const c of input) {
        if (c < n) delta += 1;
        if (c === n) {
          let q = delta;
          for (let k = base; ; k += base) {
            const t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias;
            if (q < t) break;
            out += 1;
            q = Math.floor((q - t) / (base - t));
          }
          out += 1;
          bias = adapt(delta, handled + 1, handled === basic);
          delta = 0;
          handled += 1;
        }
      }
      delta += 1;
      n += 1;
    }
    return 'xn--'.length + out;
  }

  function isValidUrl(url, protocol, host) {
    let encoded = -1;
    for (const label of host.split('.')) {
      const points = Array.from(label).length;
      // Encoding never shortens a label: a long one is refused unencoded.
      const size = points > MAX_LABEL_LENGTH ? points : punycodeLength(label);
      if (size < 1 || size > MAX_LABEL_LENGTH) return false;
      encoded += size + 1;
    }
    const len = (s) => Array.from(s).length; // code points, as in Python
    if (len(protocol || 'https://') + len(url) - len(host) + encoded > MAX_URL_LENGTH) return false;
    // An encoded host cannot also contain raw Unicode.
    return !(host.slice(0, 4).toLowerCase() === 'xn--' && asciiDomains(host).length === 0);
  }

  // What "(before|^)(protocol? host tail)" finds when tried at position.
  function linkAt(text, position, hosts) {
    const tries = [];
    const before = stickyAt(BEFORE_RE, text, position);
    if (before) tries.push([before[0], position + before[0].length]);
    if (position === 0) tries.push(['', 0]);
    for (const [preceding, start] of tries) {
      let protocol = stickyAt(PROTOCOL_RE, text, start);
      let hostStart = protocol ? start + protocol[0].length : start;
      let hostEnd = hosts.endOfHost(hostStart);
      if (hostEnd === null && protocol) {
        protocol = null;
        hostStart = start;
        hostEnd = hosts.endOfHost(start);
      }
      if (hostEnd !== null) {
        const tail = stickyAt(TAIL_RE, text, hostEnd);
        return { before: preceding, start, protocol: protocol ? protocol[0] : undefined, hostStart, hostEnd,
          end: hostEnd + tail[0].length, path: tail[1] };
      }
    }
    return null;
  }

  // For each position, the first position from there where a link may start.
  function nextTries(text, hosts) {
    const size = text.length;
    const mayStart = new Array(size + 2).fill(false);
    mayStart[0] = true;
    for (const [start, end] of hosts.possibleStarts()) mayStart.fill(true, start, end);
    for (const m of text.matchAll(/https?:\/\//giu)) mayStart[m.index] = true;
    const next = new Array(size + 2).fill(size + 1);
    for (let i = size; i >= 0; i -= 1) next[i] = mayStart[i] ? i : next[i + 1];
    return next;
  }

  // [start, end] spans (UTF-16 indices) of the links in text, in order.
  function findUrls(text, requireProtocol) {
    const tlds = text.includes('.') ? tldsAfterDots(text) : new Map();
    if (tlds.size === 0) return []; // every link has a dot then a TLD in its host
    const hosts = hostChains(text, tlds);
    const next = nextTries(text, hosts);
    const spans = [];
    let position = 0;
    while (position <= text.length) {
      if (position) {
        // Skip to one before the next place a host may start (on a code point).
        let skip = next[position + 1] - 1;
        if (skip > position && isTrailOfPair(text, skip)) skip -= 1;
        position = Math.max(position, skip);
        if (position > text.length) break;
      }
      const link = linkAt(text, position, hosts);
      if (link === null) {
        position += position < text.length ? pointLength(text, position) : 1;
        continue;
      }
      const { before, start, protocol, hostStart, hostEnd, path } = link;
      let end = link.end;
      position = end;
      const url = text.slice(start, end);
      const host = text.slice(hostStart, hostEnd);
      if (!isValidUrl(url, protocol, host)) continue;
      if (protocol) {
        const tco = url.match(TCO_RE);
        if (tco) {
          if (tco[1].length > MAX_TCO_SLUG_LENGTH) continue;
          end = start + tco[0].length;
        }
        spans.push([start, end]);
        continue;
      }
      if (requireProtocol || (before && '-_./'.includes(before))) continue;
      const found = asciiDomains(host).map(([s, e]) => [start + s, start + e]);
      if (found.length && path) found[found.length - 1][1] = end;
      spans.push(...found);
    }
    return spans;
  }

  // ---- Counting (mirror of text_rules.py) -------------------------------

  const EMOJI_ELEMENT = String.raw`(?:\p{Emoji_Modifier_Base}\p{Emoji_Modifier}|\p{Extended_Pictographic}\ufe0f|\p{Emoji_Presentation})`;
  const ZWJ_ELEMENT = String.raw`(?:\p{Extended_Pictographic}(?:\p{Emoji_Modifier}|\ufe0f)?)`;
  const EMOJI_RE = new RegExp(
    String.raw`[\u{1f1e6}-\u{1f1ff}]{2}` +
    String.raw`|[0-9#*]\ufe0f?\u20e3` +
    String.raw`|\u{1f3f4}[\u{e0020}-\u{e007e}]+\u{e007f}` +
    `|${EMOJI_ELEMENT}(?:\\u200d${ZWJ_ELEMENT})*`, 'gu');

  const WORD = String.raw`\p{L}\p{M}\p{Nd}\p{Pc}`;
  const MENTION_RE = new RegExp(
    `(?<![=/${WORD}])@([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)(?:@[${WORD}.-]+[${WORD}])?`, 'giu');

  const segmenter = typeof Intl !== 'undefined' && Intl.Segmenter
    ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;

  function graphemeCount(text) {
    if (!segmenter) return Array.from(text).length; // old browsers: code points
    let count = 0;
    for (const _ of segmenter.segment(text)) count += 1; // eslint-disable-line no-unused-vars
    return count;
  }

  function weight(code) {
    for (const [low, high] of LIGHT_RANGES) if (code >= low && code <= high) return 1;
    return 2;
  }

  function xLength(text) {
    text = text.normalize('NFC');
    const links = new Map(findUrls(text, false));
    const emoji = new Map();
    for (const m of text.matchAll(EMOJI_RE)) emoji.set(m.index, m.index + m[0].length);
    let total = 0;
    let i = 0;
    while (i < text.length) {
      if (links.has(i)) {
        total += X_URL_WEIGHT;
        i = links.get(i);
      } else if (emoji.has(i)) {
        total += X_EMOJI_WEIGHT;
        i = emoji.get(i);
      } else {
        const code = text.codePointAt(i);
        total += weight(code);
        i += code > 0xffff ? 2 : 1;
      }
    }
    return total;
  }

  function mastodonLength(text) {
    const entities = findUrls(text, true).map(([s, e]) => [s, e, 'x'.repeat(MASTODON_URL_WEIGHT)]);
    for (const m of text.matchAll(MENTION_RE)) entities.push([m.index, m.index + m[0].length, '@' + m[1]]);
    entities.sort((a, b) => a[0] - b[0]);
    let out = '';
    let last = 0;
    for (const [start, end, replacement] of entities) {
      if (start < last) continue; // overlaps an earlier entity
      out += text.slice(last, start) + replacement;
      last = end;
    }
    return graphemeCount(out + text.slice(last));
  }

  function limitFor(network) {
    if (!Object.prototype.hasOwnProperty.call(LIMITS, network)) {
      throw new RangeError(`unknown network: ${network}`);
    }
    return LIMITS[network];
  }

  // Same shape as the Python TextMeasure.
  function measure(network, text) {
    const limit = limitFor(network);
    text = text || '';
    let length;
    if (network === 'x') length = xLength(text);
    else if (network === 'bluesky') length = graphemeCount(text);
    else if (network === 'mastodon') length = mastodonLength(text);
    else length = Array.from(text).length; // code points
    return {
      network,
      length,
      limit,
      ok: limit === null || length <= limit,
      remaining: limit === null ? null : limit - length,
    };
  }

  // ---- Progressive enhancement ------------------------------------------

  const bound = new WeakSet();

  function counterFor(field) {
    // Compare attributes instead of building a selector from the id.
    for (const el of document.querySelectorAll('[data-counter-for]')) {
      if (el.getAttribute('data-counter-for') === field.id) return el;
    }
    return null;
  }

  function render(field, counter) {
    let m;
    try {
      m = measure(field.getAttribute('data-network'), field.value);
    } catch (err) {
      counter.textContent = '';
      counter.classList.remove('over-limit');
      return;
    }
    counter.textContent = m.limit === null ? String(m.length) : `${m.length} / ${m.limit}`;
    counter.classList.toggle('over-limit', !m.ok);
  }

  // Wire every field with data-network under root (default: the document).
  // Safe to call again after adding fields; the network is re-read on every
  // keystroke, so changing data-network needs no call.
  function attach(root) {
    const scope = root || document;
    for (const field of scope.querySelectorAll('textarea[data-network], input[data-network]')) {
      if (!field.id) continue;
      const counter = counterFor(field);
      if (!counter) continue;
      counter.setAttribute('aria-live', 'polite');
      if (!bound.has(field)) {
        bound.add(field);
        field.addEventListener('input', () => render(field, counter));
      }
      render(field, counter);
    }
  }

  const api = { NETWORKS, LIMITS, measure, limitFor, attach, findUrls, TLDS };

  if (typeof window !== 'undefined') window.RelaisText = api;
  if (typeof module !== 'undefined' && module.exports) module.exports = api;

  if (typeof document !== 'undefined' && document.querySelectorAll) {
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', () => attach());
    } else {
      attach();
    }
  }
})();
