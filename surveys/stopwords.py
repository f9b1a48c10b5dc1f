"""Words too common to say anything in a word count of free-text answers (Danish and English)."""
STOP_WORDS = frozenset("""
alle allerede andet andre at bare blev blive bliver da de dem den denne der deres det dette dig din dine
disse du efter eller en end er et for fra ham han hans har havde have hende hendes her hos hun hvad hvem
hvis hvor hvordan hvorfor ikke ind jeg jer jo kan kun kunne lidt man mange med meget men mere mig min
mine mit mod måske nej noget nogen nok nu når og også om op os over på rigtig sig sin sine sit skal
skulle som så sådan til ud under var vi vil ville være været ja helt godt gerne mere mest fordi
ved ingen nogle flere alt får går kommer både hver selv uden især osv fx noget nogen altid aldrig hele alle lige
about after all also and any are because been but can could did does doing for from had has have her
his how into its just like more most not now off once only other our out over own same she should some
such than that the their them then there these they this those through too very was were what when
where which while who why will with would you your yes
""".split())
