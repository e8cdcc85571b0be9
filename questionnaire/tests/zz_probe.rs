use minyi_questionnaire::*;
const BASE: &str = r#"
id = "q"
version = "1"
title = { zh = "问卷", en = "Q" }
[[indicators]]
id = "ind"
name = { zh = "指标", en = "Ind" }
[[sections]]
id = "s1"
title = { zh = "第一部分", en = "Part one" }
[[sections.items]]
id = "rate_me"
type = "likert5"
XX
text = { zh = "题", en = "Item" }
"#;
#[test]
fn probe() {
    for x in ["indicater = \"ind\"", "type2 = 1", "options = []", "indicator = \"ind\"\nallow_na = \"yes\"", "", ] {
        let src = BASE.replace("XX", x);
        match Questionnaire::parse(&src) {
            Err(e) => println!("---- {x}\n{e}\n{e:?}"),
            Ok(_) => println!("---- {x} OK"),
        }
    }
    let src = BASE.replace("type = \"likert5\"\nXX", "type = \"text\"");
    println!("{}", Questionnaire::parse(&src).unwrap_err());
    let src = BASE.replace("type = \"likert5\"\nXX", "");
    println!("{}", Questionnaire::parse(&src).unwrap_err());
}
