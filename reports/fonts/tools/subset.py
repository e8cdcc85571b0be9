import sys
from fontTools.ttLib import TTCollection
from fontTools import subset
def chars(enc):
    s=set(range(0x20,0x7f))|set(range(0xa0,0x100))|set(range(0x2000,0x206f))|set(range(0x3000,0x3040))|set(range(0xff00,0xfff0))|set(range(0x2100,0x2200))|set(range(0x2190,0x2200))|set(range(0x2460,0x24ff))|set(range(0x25a0,0x2600))
    for hi in range(0x81,0xff):
        for lo in range(0x40,0xff):
            try:
                c=bytes([hi,lo]).decode(enc)
                s.add(ord(c))
            except Exception: pass
    return s
for weight in ["Regular","Bold"]:
    coll=TTCollection(f"/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc")
    for i,f in enumerate(coll.fonts):
        name=f["name"].getDebugName(4)
        if name==f"Noto Sans CJK SC{'' if weight=='Regular' else ' Bold'}" or name==f"Noto Sans CJK SC {weight}":
            idx=i
    f=coll.fonts[idx]
    print(weight, idx, f["name"].getDebugName(4))
    for enc in [sys.argv[1]]:
        opts=subset.Options(); opts.layout_features=["*"]; opts.name_IDs=["*"]; opts.notdef_outline=True; opts.hinting=False
        sub=subset.Subsetter(opts); sub.populate(unicodes=chars(enc)); sub.subset(f)
        f.save(f"NotoSansSC-{weight}-{enc}.otf")
from fontTools.ttLib import TTFont
for w in ["Regular","Bold"]:
    f=TTFont(f"NotoSansSC-{w}-gb2312.otf")
    n=f["name"]
    full="Minyi Sans SC" + ("" if w=="Regular" else " Bold")
    ps="MinyiSansSC-"+w
    for rec in list(n.names):
        if rec.nameID in (1,16): rec.string="Minyi Sans SC"
        elif rec.nameID==4: rec.string=full
        elif rec.nameID==6: rec.string=ps
        elif rec.nameID==3: rec.string=ps+";minyi-subset-gb2312"
        elif rec.nameID in (2,17): rec.string=w
    if "CFF " in f:
        cff=f["CFF "].cff; cff.fontNames=[ps]
    f.save(f"MinyiSansSC-{w}.otf")
