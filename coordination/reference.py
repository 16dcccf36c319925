"""Reference data from the 2016 notice (seed/): the districts that take part, the member units of the
joint conference and the office's four working groups. Used by seed_demo and by tests."""

# (code, name, pinyin slug) of the ten districts with agriculture, in the notice's order.
DISTRICTS = [
    ("120116", "滨海新区", "binhai"),
    ("120110", "东丽区", "dongli"),
    ("120111", "西青区", "xiqing"),
    ("120112", "津南区", "jinnan"),
    ("120113", "北辰区", "beichen"),
    ("120114", "武清区", "wuqing"),
    ("120115", "宝坻区", "baodi"),
    ("120117", "宁河区", "ninghe"),
    ("120118", "静海区", "jinghai"),
    ("120119", "蓟州区", "jizhou"),
]

# The 17 member units of the joint conference, as the notice lists them.
MEMBER_UNITS = [
    ("propaganda", "市委宣传部"),
    ("ndrc", "市发展改革委"),
    ("research", "市政府研究室"),
    ("agriculture", "市农委"),
    ("construction", "市建委"),
    ("science", "市科委"),
    ("commerce", "市商务委"),
    ("industry", "市工业和信息化委"),
    ("finance", "市财政局"),
    ("planning", "市规划局"),
    ("land", "市国土房管局"),
    ("environment", "市环保局"),
    ("sme", "市中小企业局"),
    ("statistics", "市统计局"),
    ("financial", "市金融局"),
    ("tourism", "市旅游局"),
    ("culture", "市文化广播影视局"),
]

# The office's four working groups and their duties.
WORKING_GROUPS = [
    ("assess", "创建考核组", "研究提出特色小镇的指导意见和创建考核办法，组织创建和考核工作"),
    ("planning", "规划编制组", "编制特色小镇的规划设计导则，组织各区编制规划和报审工作"),
    ("coord", "协调推动组", "特色小镇的协调推动，组织开展调研和召开推动工作会议"),
    ("policy", "综合政策组", "对接国家大政方针，组织出台支持政策，组织跟踪进度和信息宣传工作（验收统计数据）"),
]

MUNICIPALITY = ("120000", "天津市")
