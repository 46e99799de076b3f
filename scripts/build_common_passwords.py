"""Write tasktrack/data/common_passwords.txt: the passwords nobody may choose (tasktrack/passwords.py).

The list is built from rules and short hand-kept lists below, so it can be read, extended and rebuilt:
the passwords that top every published breach analysis (English and Chinese), keyboard walks, digit runs
and the "lucky" numbers, pinyin words and names, and the words of this system itself, alone and with the
usual endings. Entries are lower-case (the check ignores case). Run: python scripts/build_common_passwords.py
"""

from __future__ import annotations

import itertools
from pathlib import Path

OUTPUT = Path(__file__).resolve().parents[1] / "tasktrack" / "data" / "common_passwords.txt"

#: Seen at the top of every list of leaked passwords.
CLASSICS = """
123456 123456789 12345678 1234567890 12345 1234567 111111 123123 000000 654321 666666 888888 121212 112233
123321 987654321 1234 password password1 password12 password123 passw0rd p@ssw0rd p@ssword pa55word pa$$w0rd
qwerty qwerty1 qwerty12 qwerty123 abc123 abcd1234 abc12345 abc123456 a123456 a12345678 a123456789 aa123456
aa12345678 123456a 123456aa 123456abc 123456789a 1234qwer qwer1234 1q2w3e4r 1q2w3e4r5t 1qaz2wsx 1qazxsw2
zaq12wsx zaq1xsw2 qazwsx qazwsxedc qweasdzxc iloveyou iloveu iloveyou1 iloveyou123 i love you
letmein letmein1 trustno1 welcome welcome1 welcome123 admin admin1 admin123 admin888 admin1234 administrator
root root123 toor test test123 test1234 guest guest123 user user123 login changeme changeme123 default
secret secret123 master master123 superman batman spiderman starwars whatever nothing sunshine princess
football baseball basketball soccer hockey dragon monkey shadow michael jordan jordan23 hunter killer
computer internet freedom flower summer winter spring autumn hello hello123 hellokitty charlie daniel
jessica ashley nicole michelle andrew george william matthew joshua amanda hannah thomas robert jennifer
maggie tigger buster ginger pepper cookie banana cheese orange purple silver golden diamond angel beauty
forever family friends mother father heaven jesus blessed peace happy smile lucky magic money mylove loveme
kissme imissyou babygirl baby honey sweet sweetie cutie lovely love love123 lover pokemon naruto samsung
google apple iphone windows microsoft chocolate butterfly liverpool arsenal chelsea manchester mustang
harley ranger ferrari porsche mercedes yankees cowboys eagles lakers q1w2e3r4 q1w2e3r4t5 1q2w3e 123qwe
qwe123 123abc abc qazxsw asdfgh asdfghjkl zxcvbnm zxcvbn qwertyuiop asdf1234 zxcv1234 asdasd asdasd123
qweqwe zxczxc 11111111 00000000 88888888 66666666 12341234 11223344 147258369 741852963 159357 159753
987654 123654 7777777 5555555 1111111111 0000000000 0987654321 9876543210 0123456789 31415926 3.1415926
3.14159265 314159265 1123581321 112358 2468 13579 24680 135790 1357924680 2468013579 abcdefg abcdefgh
abcdefghi abcdefghij abcdefghijk abcdefghijkl
"""

#: Passwords that lead the analyses of the large Chinese leaks: lucky numbers, love in digits and pinyin.
CHINESE = """
5201314 1314520 5211314 1314521 7758521 7758258 520520 520521 521521 5201314520 52013145201314 1314520520
5845201314 5841314520 584520 3344520 3344521 520131 1314 520 521 1314159 25257758 2597758 7758521521
woaini woaini1314 woaini520 woaini521 woaini123 woaini5201314 woainima woaiwojia woaini1314520 woaiwoziji
woaimama woaibaba woainimama woailaopo woailaogong woxiangni wozhiaini wodezuiai wodemima wojiushiwo
woshishui woshishei woshiniba woshiwo woshizhu nishizhu nishiwode zhendeaini jiushiaini aini1314 aini520
love1314 love520 iloveyou1314 laopo520 laopo521 laogong520 laogong521 a5201314 qq5201314 5201314a
1314520a a1314520 aa5201314 5201314qq qq1314520 qq123456 qq123456789 qq111111 qq123123 qq000000 qq1234
qq666666 qq888888 q123456 q123456789 z123456 z123456789 w123456 w123456789 s123456 x123456 y123456
l123456 c123456 h123456 li123456 wang123 wang123456 zhang123 zhang123456 liu123456 huang123 jiang123
chen123456 yang123 yang123456 zhao123456 hao123 hao123456 nihao nihao123 nihaoma buzhidao wobuzhidao
meiyoumima mima mima123 mima123456 caonima caonima123 wocaonima woainima123 bugaosuni zhimakaimen
tiantian xiaoxiao yangyang jingjing baobao maomao xiaoming xiaoqiang xiaolong xiaoyu xiaowei xiaofeng
xiaojian xiaoyao tingting lingling yingying mengmeng miaomiao huanhuan feifei weiwei jiajia dongdong
longlong mingming shanshan jianjian qianqian xinxin wenwen doudou chenchen yuanyuan liangliang jiaojiao
xingxing zhuzhu tianshi tiancai shangxin menghuan beijing beijing2008 shanghai zhongguo china china123
hangzhou zhejiang shenzhen guangzhou nanjing wuhan chengdu xian tianjin chongqing ningbo wenzhou
123456789abc 123456qwe 123qweasd 123qweasdzxc qweasd123 qwe123456 asd123456 zxc123456 aaa123456 a123123
123456123 123456123456 123123123 123321123 12344321 123454321 1234554321 123456654321 147852369 963852741
789456123 321654987 123654789 987456321 741852 852456 147258 258369 369258147 159951 753951 951753 135246
142536 124578 134679 134679852 123789 456789 789789 110110 110120 119119 110119120 120120 100200
168168 168888 518518 666888 888999 889988 998877 778899 445566 556677 112211 123000 123123a 123456.
123456.. 123456789. 000000a a000000 a111111 aaa111 qqq111 111qqq 1qaz!qaz !qaz2wsx !qaz@wsx 1qaz@wsx
12qwaszx 1q2w3e4r5t6y qwer1234asdf asdf123456 zxcv123456
"""

#: Pinyin words and the most frequent surnames and given names, alone they are a name, not a password.
PINYIN = """
wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin luo gao zheng liang xie song tang
han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye cheng wei su lu ding ren shen yao
wangwei wangfang wangjing wangjun wangyang wanglei wangqiang wangjian wangyu wangpeng wanghao wangxin
wangchao wangfeng wangliang wangshuai wanggang wangyan zhangwei zhangjing zhangli zhanglei zhangjun
zhangyang zhangjie zhangyu zhangyan zhangxin zhangpeng zhangqiang zhangtao zhangbin zhangchao zhangkai
zhanghui zhangliang zhanghao zhangjian lijing liwei lina lili liyang liuyang liuwei chenwei chenjian
huangwei jiangwei yangjian zhaolei zhoujie wuhao
"""

#: Words of this system and of the office that runs it: the first thing a guesser tries here.
LOCAL = """
tasktrack tasktrack1 tasktrack123 tasktrack2024 qinglian qinglianshehui shehuizuzhi minzheng minzhengting
zhuanban zhuanbanban dubanxitong duban qingliang qinglianzj zjmzt mzt zjsmzt zjmz gongzuozhuanban
zhejiang2024 zhejiangsheng zjs zj2024 zj123456 admin@123 admin@2024 zhejiang@123 abc@123 abc@1234 qwe@123
qwe@1234 a@123456 p@ssw0rd123 passw0rd123 password@123 password!@# welcome@123 demo demo123 demo1234
demo2024 test@123 root@123 system system123 manager manager123 office office123 secretary changeit
"""

#: Endings people add to a word to pass a length rule. (The check also strips any digits and punctuation
#: from both ends of a password and looks the rest up, so "zhangwei1988!" is caught by "zhangwei".)
SUFFIXES = ("1", "123", "1234", "123456", "1314", "520", "666", "888", "2024", "!", "@123", "123!")

KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "!@#$%^&*()")
#: Walks down the keyboard's columns and zig-zags between two rows.
WALKS = ("1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/", "qazwsxedcrfvtgbyhnujmik,ol.p;/", "zaq1xsw2cde3vfr4bgt5nhy6mju7",
         "1q2w3e4r5t6y7u8i9o0p", "q1w2e3r4t5y6u7i8o9p0", "qawsedrftgyhujikolp", "1a2s3d4f5g6h7j8k9l",
         "a1s2d3f4g5h6j7k8l9", "qweasdzxc", "zxcasdqwe", "asdzxc", "qweasd", "qweqweqwe", "asdasdasd",
         "zxczxczxc", "1234qwerasdfzxcv", "qwerasdfzxcv", "qwertasdfgzxcvb", "1qaz2wsx3edc", "!qaz@wsx#edc",
         "1qa2ws3ed", "qwer!@#$", "!@#$qwer", "1q!q", "zaq!xsw@", "poiuytrewq", "lkjhgfdsa", "mnbvcxz",
         "0987654321", "0p9o8i7u6y", "p0o9i8u7y6", "147258369", "741852963", "159753", "357159", "789456123",
         "963852741", "147896325", "123698745", "7894561230", "1472583690", "3692581470")


def keyboard() -> set[str]:
    """Row walks (both ways, every prefix of six keys or more) and the column and zig-zag walks."""
    out: set[str] = set()
    for row in KEYBOARD_ROWS + WALKS:
        for text in (row, row[::-1]):
            for end in range(6, len(text) + 1):
                out.add(text[:end])
    for a, b in itertools.permutations(("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890"), 2):
        for n in (3, 4, 5, 6):
            out.add(a[:n] + b[:n])
    return out


def digits() -> set[str]:
    """Ascending and descending runs, one digit repeated, pairs and triples repeated."""
    out: set[str] = set()
    up, down = "01234567890123456789", "98765432109876543210"
    for run in (up, down):
        for start in range(10):
            for n in range(6, 13):
                out.add(run[start:start + n])
    for d in "0123456789":
        for n in range(6, 13):
            out.add(d * n)
    for a, b in itertools.product("0123456789", repeat=2):
        if a != b:
            out.update({(a + b) * 4, (a + b) * 5, (a + b) * 6, a * 2 + b * 2 + a * 2 + b * 2})
    for triple in ("123", "321", "456", "789", "147", "258", "369", "520", "521", "168", "518", "110", "911"):
        out.update({triple * 3, triple * 4})
    for n in range(2, 6):
        out.add("".join(str(i) * 2 for i in range(1, n + 1)))  # 1122, 112233, …
    return out


def words(text: str) -> list[str]:
    """The whitespace-separated entries of a block."""
    return text.split()


def build() -> list[str]:
    """Return the sorted list."""
    entries: set[str] = set()
    entries.update(words(CLASSICS))
    entries.update(words(CHINESE))
    entries.update(keyboard())
    entries.update(digits())
    bases = [w for w in words(CLASSICS) + words(CHINESE) + words(PINYIN) + words(LOCAL) if w.isalpha()]
    for base in bases:
        entries.add(base)
        entries.update(base + suffix for suffix in SUFFIXES)
    entries.update(words(LOCAL))
    return sorted(e.lower() for e in entries if e and " " not in e)


def main() -> None:
    """Write the file."""
    entries = build()
    header = [
        "# Passwords nobody may choose (tasktrack/passwords.py compares case-insensitively).",
        "# Built by scripts/build_common_passwords.py; edit the script, not this file.",
        f"# {len(entries)} entries.",
    ]
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text("\n".join(header + entries) + "\n", encoding="utf-8")
    print(f"{OUTPUT}: {len(entries)} entries")


if __name__ == "__main__":
    main()
