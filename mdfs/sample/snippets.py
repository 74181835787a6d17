"""Hand-written text for the sample crawl: everything that is not People's Daily prose.

Written for this project (no third-party text): Japanese and English news-style paragraphs,
mixed zh/en pages, and the boilerplate, SEO spam and junk that real Chinese crawls are full of.
Brand-like names in the spam lists are made up. Later stages are evaluated against these, so
they imitate the real thing: kanji-heavy Japanese that a naive CJK check would take for Chinese,
keyword stuffing built from gambling/porn terms, nav bars and footers that repeat on every page.
"""

from __future__ import annotations

# --- Japanese: (headline, paragraph). Mostly kanji-heavy news prose with normal hiragana. ---
JAPANESE: list[tuple[str, str]] = [
    (
        "政府、防災強化柱に総合経済対策を決定",
        "政府は十五日の閣議で、地方自治体の防災体制強化を柱とする総合経済対策を正式に決定した。"
        "事業規模は総額約二十兆円に上り、老朽化した橋梁や堤防の補修、避難所の耐震化などに重点的に"
        "配分される。首相は記者会見で「国民の生命と財産を守ることが最優先課題だ」と強調した。",
    ),
    (
        "台風十二号、九州南部に接近　記録的大雨の恐れ",
        "気象庁によると、大型で強い台風十二号は十八日午後、九州南部に接近する見込みで、西日本の"
        "太平洋側を中心に記録的な大雨となる恐れがある。同庁は土砂災害や河川の氾濫に厳重な警戒を"
        "呼び掛けており、各自治体は早めの避難準備を住民に求めている。",
    ),
    (
        "日経平均、三日続伸　輸出関連株に買い",
        "東京株式市場で日経平均株価は三日続伸し、前日比二百円余り高い水準で取引を終えた。円安基調を"
        "背景に輸出関連株への買いが広がったほか、好決算を発表した半導体関連企業にも資金が流入した。"
        "市場関係者は「海外投資家の動向が当面の焦点になる」と指摘している。",
    ),
    (
        "小学校の情報教育、来年度から授業時間拡充へ",
        "文部科学省は来年度から、小学校高学年を対象に情報教育の授業時間を拡充する方針を固めた。"
        "全国の公立学校に一人一台の端末を配備する計画と合わせ、教員研修の充実や通信環境の整備を"
        "急ぐ。保護者からは家庭での利用規則づくりを求める声も上がっている。",
    ),
    (
        "国宝仏像の修復完了、記念法要に参拝者",
        "京都市内の寺院で十日、国宝の仏像修復が完了したことを記念する法要が営まれ、多くの参拝者が"
        "訪れた。修復作業は約三年に及び、表面の金箔や彩色の剥落を専門家が丁寧に補修した。住職は"
        "「先人から受け継いだ文化財を次世代へ伝えたい」と話した。",
    ),
    (
        "出生数、過去最少を更新　人口動態統計",
        "厚生労働省が発表した人口動態統計によれば、昨年生まれた子どもの数は過去最少を更新した。"
        "少子高齢化の進行に歯止めがかからず、社会保障制度の持続可能性を巡る議論が一段と活発に"
        "なりそうだ。政府は若年層の所得向上策を来月までに取りまとめる。",
    ),
    (
        "週末の公園で家族と花見",
        "週末は家族で近くの公園へ出かけました。桜はもう散り始めていましたが、子どもたちは芝生の上を"
        "元気に走り回り、お弁当もあっという間になくなりました。帰り道にはパン屋さんに寄って、明日の"
        "朝ごはんを買いました。来年はもう少し早い時期に来たいと思います。",
    ),
    (
        "新型スマートフォン、来月発売へ",
        "新製品のスマートフォンは、従来機種に比べて電池の持ちが大幅に向上したほか、カメラの暗所撮影"
        "性能も強化された。価格は税込みで十万円前後となる見通しで、来月上旬から全国の家電量販店で"
        "販売を開始する予定だという。",
    ),
    (
        "商店街の空き店舗で若手起業家を支援",
        "地元の商店街では、空き店舗を活用した若手起業家の支援事業が始まった。家賃の一部を市が補助し、"
        "開業後も経営相談に応じる仕組みで、既に飲食店や雑貨店など五店舗が出店を決めている。",
    ),
    (
        "最高裁、原告側の上告棄却　二審判決確定",
        "最高裁判所第三小法廷は二十日、原告側の上告を棄却する決定をした。これにより、損害賠償請求を"
        "退けた二審判決が確定した。原告代理人の弁護士は「極めて残念な結果だ」と述べ、今後の対応を"
        "依頼人と協議する考えを示した。",
    ),
]

# Headline-only digest: almost no kana. The hardest case for telling Japanese from Chinese.
JAPANESE_HEADLINES: list[str] = [
    "首相、防災対策強化を表明　補正予算編成へ",
    "日銀総裁、金融緩和継続を明言　物価目標達成まで",
    "東証大引け、日経平均続伸　半導体株に買い",
    "大型台風接近、西日本で記録的大雨警戒",
    "最高裁、上告棄却　二審判決確定",
    "出生数過去最少、少子化対策急務",
    "新幹線、大雪影響で一部区間運転見合わせ",
    "春闘、大手企業で賃上げ率三％超相次ぐ",
    "国宝仏像修復完了、京都で記念法要",
    "全国高校野球、決勝は延長十三回の熱戦",
    "県議会、来年度予算案を原案通り可決",
    "北陸地方で記録的積雪　交通網に乱れ",
    "厚労省、感染症対策の新指針を公表",
    "国立大学授業料、据え置き方針を決定",
]

# --- English: (headline, paragraph) ---
ENGLISH: list[tuple[str, str]] = [
    (
        "City council approves new riverside park",
        "The city council voted on Tuesday to approve a new riverside park on the site of a former "
        "freight yard. The plan includes walking trails, a small amphitheatre and restored wetlands "
        "that officials say will help absorb floodwater during heavy storms. Construction is "
        "expected to begin next spring and take about two years.",
    ),
    (
        "Local bakery celebrates fifty years",
        "A family-run bakery on Mill Street marked its fiftieth anniversary this weekend with free "
        "pastries and a display of old photographs. The owner, who took over from her parents in "
        "the nineties, said the secret was simple: good flour, early mornings and knowing every "
        "regular customer by name.",
    ),
    (
        "Researchers test drought-tolerant wheat",
        "Agricultural researchers have begun field trials of a wheat variety bred to tolerate long "
        "dry spells. Early results suggest yields fall far less than those of standard varieties "
        "when rainfall is scarce, although the team cautioned that several more seasons of data "
        "are needed before farmers can rely on it.",
    ),
    (
        "Regional rail line to add evening services",
        "Commuters on the regional rail line will get two extra evening trains from next month, "
        "the operator announced. The change follows a survey in which many passengers complained "
        "that the last service left too early for people working late shifts in the city centre.",
    ),
    (
        "How to keep houseplants alive in winter",
        "Short days and dry indoor air are hard on houseplants. Move pots closer to a bright "
        "window, water less often than in summer, and group plants together so they keep each "
        "other humid. Check the undersides of leaves regularly, because pests spread quickly "
        "when plants are stressed.",
    ),
    (
        "Library extends opening hours during exams",
        "The central library will stay open until midnight for the next three weeks to give "
        "students a quiet place to revise. Extra staff have been hired for the late shifts, and "
        "the cafe on the ground floor will serve hot drinks until eleven.",
    ),
]

# --- Mixed pages: mostly Chinese with English terms; these should be kept as Chinese. ---
MIXED: list[tuple[str, list[str]]] = [
    (
        "开源深度学习框架发布新版本，支持更多硬件",
        [
            "某开源社区近日发布了其深度学习框架的 3.0 版本。新版本重写了底层的 tensor 运算库，"
            "在常见的 benchmark 上训练速度提升约三成，同时增加了对多种国产 GPU 和 NPU 的支持。",
            "项目负责人在发布会上表示，团队在过去一年里合并了超过两千个 pull request，其中近一半"
            "来自社区贡献者。新版本还提供了与 Python 3.11 兼容的预编译安装包，开发者可以直接通过 "
            "pip 安装，无需自行编译。",
            "业内人士认为，随着大模型训练对算力需求的快速增长，框架层面的优化和对不同硬件的适配"
            "将成为竞争的关键。该项目的源代码已在 GitHub 上公开，采用 Apache 2.0 许可证。",
        ],
    ),
    (
        "跨境电商平台推出海外仓服务 中小卖家受益",
        [
            "记者从一家跨境电商平台获悉，该平台正式推出面向中小卖家的海外仓服务，首批仓库设在"
            "欧洲和北美。卖家只需在后台填写 SKU 信息并预约头程物流，即可将商品提前备货到海外。",
            "平台负责人介绍，海外仓可以把配送时间从原来的两到三周缩短到三至五天，显著提升买家"
            "的购物体验。平台还将开放 API 接口，方便卖家把库存数据接入自己的 ERP 系统。",
            "不少卖家表示，过去最担心的是退换货成本高、周期长，有了本地仓库以后，售后问题处理起来"
            "方便多了，店铺的好评率也有所上升。",
        ],
    ),
    (
        "高校开设人工智能通识课 学生反响热烈",
        [
            "本学期，某大学面向全校本科生开设了人工智能通识课程，内容涵盖机器学习基础、自然语言"
            "处理和计算机视觉等方向。课程采用线上线下相结合的方式，课后作业在 Jupyter Notebook "
            "中完成。",
            "授课教师介绍，课程特别强调动手实践，学生需要用 Python 实现一个简单的 neural network，"
            "并在公开数据集上完成图像分类任务。期末项目则以小组形式进行，鼓励跨专业合作。",
            "选课的同学普遍反映收获很大。一位文科专业的学生说，以前觉得 AI 离自己很远，现在能看懂"
            "基本原理，也学会了用工具解决实际问题。",
        ],
    ),
]

# --- Chinese boilerplate ---
NAV_CHANNELS: list[tuple[str, str]] = [
    ("首页", "/"),
    ("新闻", "/news/"),
    ("国内", "/china/"),
    ("国际", "/world/"),
    ("体育", "/sports/"),
    ("财经", "/finance/"),
    ("娱乐", "/ent/"),
    ("科技", "/tech/"),
    ("教育", "/edu/"),
    ("汽车", "/auto/"),
    ("房产", "/house/"),
    ("图片", "/photo/"),
    ("评论", "/opinion/"),
    ("视频", "/video/"),
]
TOP_LINKS = ["设为首页", "加入收藏", "手机版", "登录", "注册", "网站导航"]
FOOTER_LINKS = ["关于我们", "联系我们", "广告服务", "网站地图", "法律声明", "招聘信息", "意见反馈"]
FOOTER_NOTES = [
    "违法和不良信息举报电话：010-12345678",
    "未经授权禁止转载、摘编、复制或建立镜像",
    "本网站所刊载信息，不代表本站观点。如有侵权，请联系删除。",
    "互联网新闻信息服务许可证编号：10120170000",
    "建议使用1024×768分辨率浏览本站",
]
SHARE_LINE = "分享到：微博 微信 QQ空间 豆瓣 人人网"
EDITORS = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "孙丽"]
SOURCES = ["人民日报", "人民网", "新华社", "本站综合", "光明日报"]
COMMENTS: list[tuple[str, str]] = [
    ("网友123", "写得很好，支持！"),
    ("北京网友", "顶一个"),
    ("路过的小明", "说得有道理，希望能落到实处。"),
    ("匿名用户", "沙发"),
    ("老张", "这才是真正为老百姓办实事。"),
    ("快乐每一天", "转发了，让更多人看到。"),
    ("江南烟雨", "期待后续报道"),
    ("草根评论员", "文章不错，就是有点长。"),
]
BBS_REPLIES = ["顶", "好文，收藏了", "楼主辛苦了", "路过，帮顶", "mark一下，回头细看", "说得太对了"]
SIDEBAR_HEADS = ["热点排行", "24小时热门", "编辑推荐", "图片新闻", "专题聚焦"]
AD_LINES = ["【广告】低价机票天天有，点击查看", "招商加盟热线：400-000-0000", "扫码关注官方微信，获取更多资讯"]

# --- SEO spam: keyword-stuffed header lines injected above real articles (hacked sites). ---
# All brand-like names are invented.
SPAM_LINES: list[str] = [
    "金冠国际娱乐城|鸿运真人视讯|皇朝娱乐官网|天禧棋牌游戏|百胜彩票网|星耀娱乐平台|恒发娱乐开户",
    "澳门金冠赌场官网 网上百家乐真人游戏 足球投注网站 时时彩计划 北京赛车pk10 体育博彩官方网站",
    "鼎盛国际娱乐城注册送38元 首存即送100% 24小时在线取款 信誉最好的网上赌场排名",
    "午夜福利视频 成人影院在线观看 激情视频免费看 av在线播放 日韩无码高清 欧美性爱大片",
    "一夜情交友 同城约炮平台 美女直播裸聊 成人用品专卖 伟哥网上购买 催情药正品",
    "六合彩开奖结果 香港马会资料 一肖一码 特码诗 曾道人内部资料 彩票预测网",
    "皇冠足球比分 亚洲盘口 网上捕鱼游戏 老虎机技巧 德州扑克在线 真钱棋牌平台",
]

# --- Junk pages ---
LOGIN_LINES = [
    "用户登录",
    "用户名/手机号/邮箱",
    "密码",
    "记住我",
    "忘记密码？",
    "登录",
    "还没有账号？立即注册",
    "其他方式登录：微信 QQ 微博",
]
NOT_FOUND_LINES = [
    "404 Not Found",
    "抱歉，您访问的页面不存在或已被删除！",
    "可能的原因：网址输入有误；页面已过期；链接已失效。",
    "5秒后自动返回首页，或点击这里直接返回。",
]
THIN_CAPTIONS = ["图为当地群众喜迎新春。（资料图片）", "点击查看大图", "图集：美丽乡村"]
REPEAT_LINE = "本站最新地址请收藏，防止失联！点击进入官方网站领取新人礼包"
REDIRECT_LINES = ["页面正在跳转中，请稍候……", "如果您的浏览器没有自动跳转，请点击这里"]
JS_NOSCRIPT = "您的浏览器不支持JavaScript，请开启后刷新页面。"
PAGER = ["首页", "上一页", "1", "2", "3", "4", "5", "下一页", "尾页"]

# Near duplicates: lines a reposting site tacks on.
REPOST_LINES = [
    "本文转载自网络，版权归原作者所有，如有侵权请联系删除。",
    "（本文来源：人民日报，转载请注明出处。）",
    "更多精彩内容，请关注本站微信公众号。",
    "编者按：本文发表于1998年1月，现予转载，以飨读者。",
]

# --- Japanese / English boilerplate ---
JA_NAV = ["ホーム", "ニュース", "政治", "経済", "国際", "スポーツ", "暮らし", "天気"]
JA_FOOTER = ["利用規約", "プライバシーポリシー", "お問い合わせ", "Copyright © 2015 Example Shimbun. All rights reserved."]
EN_NAV = ["Home", "News", "Business", "Sport", "Culture", "Opinion", "Weather"]
EN_FOOTER = ["About us", "Contact", "Privacy", "Terms of use", "© 2015 Example Daily News. All rights reserved."]
