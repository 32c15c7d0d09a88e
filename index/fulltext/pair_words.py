"""The words whose adjacent pairs the ``pairs`` field indexes (``index.fulltext.pairs``).

The 774 stems found at least four times in a sample of real OJP page text (about 21,000
words over 70 pages of ojp.gov and its bureau sites): the words a phrase is typed with and that
are frequent enough for Whoosh's phrase query to be slow. Pairs of other words are not indexed;
a phrase with such a word is scored by Whoosh, whose cost is bounded by the rarer word. An index
keeps the list it was built with (in its schema), so changing it needs a rebuild, not a
migration.
"""

PAIR_WORDS = frozenset(
    """
abduct about abstract abus academi access accord accur across act action activ add addit address
administ administr adult advanc advisori advocaci affect after afternoon ag against agenc aim
all also am amend america american among analysi ani annot announc annual anoth anti antiterror
appear appli applic approach april archiv area armor around arrest articl artwork asap assault
assess assist attornei attribut august author authoriz avail awar award back background badg
banner barrier base be becaus becom been befor behavior behind belong benefit best better
between bj bja block blog blue bodi bond both braveri brief bring budget build bulletin bureau
but call cannot capac card case caus center challeng chang chapter chart child children chri
circl class close coercion collabor collect combat committ commun compens competit complet
compon comprehens concern conduct confer confirm congress congression connect consid contact
contain content continu contribut control convers convict copi correct cost countri cours court
cover covid creat crime crimin criteria current cvf dai daryl data databas date deadlin decemb
decis declin delinqu deliveri demonstr depart describ descript design desist detail detect
deterr develop differ digit direct directli director discuss dissemin div divers divis dna do
document doe doj dollar domain domest dot download drug drupal dure e.g each educ effect effort
elder elderli email emerg emphasi encourag end enforc enhanc ensur entiti equiti establish evalu
event everi everyon evid examin exampl except excerpt expand expect experi explain exploit
exposur extract extrem face facilitat fact famili fbi featur februari feder field fight file
filter financi find fine first fiscal fit five focu focus follow forc forens form format formula
found fraud free front full function fund further fy gang garland gener give glanc goal good
googl gov govern grant grante grants.gov graphic ground group guid guidanc gun ha had hand
harbor hate head heal health help here highlight home homeless host hous household how howev
html http human id identif identifi imag immedi impact impair implement implic import improp
improv includ inclus increas indian individu inform initi innov inquiri institut intend interact
intern intervent interview into introduc introduct invest investig involv issu it item jail
januari join journal juli june jurisdict justgrant justic juvenil known kristina label labor
laps latest launch law leadership learn legaci legal legisl length level librari life like line
link list live liz ll local locat lock logo longer look loss low made main maintain major make
manag mani mass materi mean media medic meet member mental mentor messag method michel mil
million miss mission model modern month more most motor much multidisciplinari multimedia must
my name nation nationwid natur ncj ncjr ncjrs.gov nearli need neg neglect new nij no nomin note
notic now number object obtain ocom octob offend offer offic offici often ojjdp ojp ojp.gov old
older on onli onlin open oper opportun order organ orient origin other our outcom outdat
outreach ovc ovc.ojp.gov over overal overview own page pai pandem paper part parti partner
partnership past pattern payment pdf penalti peopl per percent period person personnel physical
place plan plann pleas point polic polici policymak popul posit possibl post potenti practic
practition predict prepar present presid press preval prevent primarili prioriti prison privaci
problem process produc product profession profil program project promis promot properti propos
prosecut prosecutor prospect protect provid public publish purpos question quot radic rais rang
rape rapid rate re read real receipt recent recidiv recipi recommend record recruit reduc reduct
reentri refer reflect regist relat releas remark report repres request requir research reserv
resili resourc respond respons result reus review right rigor rise risk role rose rule runawai
ryan safe safeti said same school scienc scientist screen search section secur see seek select
sensit septemb seri serv servic session set sever sex sexual share sheet shelter should show
shown shutterstock.com similar simpl sinc singl site situat six slaveri slug smart so social
solicit solut some sourc special specif sponsor staff standard start state statist step strateg
strategi strengthen student studi subject submit submitt subscrib substanc success such summari
support survei survivor system tabl tackl take task teaser technic technolog term territori
terror test text than thank theft thei their them theme then there these think third those three
through time titl todai togeth toll too tool toolkit top topic traffick train transcript
transport trauma traumat treat treatment trend tribal trust tty tvpa two type u. under
understand unit up updat upon url us user valu vari varieti ve vehicl vicari victim video view
violenc violent virtual visa visit voca voic vulner wa wai web webinar websit week welcom well
were what which while white who wide within without women work worker world wrong year yellow
young youth youtub
""".split()  # noqa: SIM905 (one word list, not 774 lines)
)
